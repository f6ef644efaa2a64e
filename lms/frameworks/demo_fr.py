"""The demo framework and tracks in French (TERMINOLOGY.md), keyed by code: the English text
stays in ``demo``; ``load_frameworks`` stores these beside it in the ``*_fr`` columns."""

from __future__ import annotations

FRAMEWORK_FR = (
    "Référentiel de compétences en analyse des données douanières",
    "Les compétences dont une administration des douanes a besoin pour s'appuyer sur les "
    "données : de la gouvernance et de la qualité des données à l'analyse des risques, à "
    "l'apprentissage automatique et au leadership. Rédigé pour la stratégie de l'organisation "
    "en matière de données et ses trois parcours.",
)

# code → (nom court, description)
COMPETENCIES_FR: dict[str, tuple[str, str]] = {
    "GOV": (
        "Gouvernance et politique des données",
        "Fixer les règles, les rôles et la stratégie qui rendent les données douanières "
        "fiables et exploitables.",
    ),
    "GOV.1": (
        "Stratégie de données pour la douane",
        "Relier le travail sur les données aux objectifs de recettes, de facilitation et de "
        "lutte contre la fraude de l'administration.",
    ),
    "GOV.2": (
        "Propriété et gestion des données",
        "Qui répond de chaque jeu de données, des déclarations aux saisies.",
    ),
    "GOV.3": (
        "Accords de partage de données",
        "Échanger des données avec d'autres services et administrations selon des conditions "
        "claires.",
    ),
    "DMQ": (
        "Gestion et qualité des données",
        "Collecter, intégrer et maintenir les données douanières en état d'être analysées.",
    ),
    "DMQ.1": (
        "Structures des données de déclaration",
        "Le modèle de données de l'OMD, les formats nationaux de déclaration et leurs données "
        "de référence.",
    ),
    "DMQ.2": (
        "Évaluation de la qualité des données",
        "Mesurer l'exhaustivité, la validité et la cohérence des données de déclaration.",
    ),
    "DMQ.3": (
        "Intégration des données et chaînes de traitement",
        "Rapprocher déclarations, manifestes, données de risque et de contentieux.",
    ),
    "DMQ.4": (
        "Données de référence et données maîtres",
        "Registres des opérateurs, nomenclature tarifaire, codes des pays et des lieux.",
    ),
    "STA": (
        "Statistique et analyse",
        "Décrire les échanges et les recettes, et éprouver des hypothèses avec des méthodes "
        "solides.",
    ),
    "STA.1": (
        "Statistiques descriptives du commerce",
        "Volumes, valeurs, recettes et tendances par marchandise, origine et opérateur.",
    ),
    "STA.2": (
        "Analyse de la valeur et des prix",
        "Comparer les valeurs déclarées aux prix de référence et à leurs distributions.",
    ),
    "STA.3": (
        "Statistique inférentielle et échantillonnage",
        "Intervalles de confiance, échantillonnage des contrôles et mesure de leur effet.",
    ),
    "STA.4": (
        "Programmation pour l'analyse",
        "Python, R ou SQL pour des analyses reproductibles.",
    ),
    "RSK": (
        "Gestion des risques et analyse de la fraude",
        "Cibler envois et opérateurs à partir des données, et tirer les leçons des résultats.",
    ),
    "RSK.1": (
        "Indicateurs et profils de risque",
        "Transformer le renseignement et l'historique en critères de sélectivité.",
    ),
    "RSK.2": (
        "Analyse des schémas de fraude",
        "Fausses déclarations d'espèce, minoration de valeur, fraude à l'origine et contrebande.",
    ),
    "RSK.3": (
        "Mesure de la performance du ciblage",
        "Taux de réussite, taux de détection et coût des contrôles.",
    ),
    "ML": (
        "Apprentissage automatique",
        "Des modèles prédictifs pour le risque, le classement et la valeur, utilisés de façon "
        "responsable.",
    ),
    "ML.1": (
        "Apprentissage supervisé pour le risque",
        "Des modèles qui prédisent le résultat d'un contrôle.",
    ),
    "ML.2": (
        "Analyse de textes et d'images",
        "Désignations des marchandises, aide au classement SH, images radioscopiques.",
    ),
    "ML.3": (
        "Déploiement et suivi des modèles",
        "Mettre les modèles en production dans le système de dédouanement et les maintenir "
        "en bon état.",
    ),
    "VIS": (
        "Visualisation et communication",
        "Faire comprendre les éléments probants aux agents, aux cadres et aux décideurs.",
    ),
    "VIS.1": (
        "Tableaux de bord opérationnels",
        "Vues quotidiennes des délais de dédouanement, des contrôles et des recettes.",
    ),
    "VIS.2": (
        "Mise en récit des données pour les décideurs",
        "Notes et présentations qui mènent à des décisions.",
    ),
    "VIS.3": (
        "Analyse géospatiale",
        "Cartes des itinéraires, des postes frontières et des saisies.",
    ),
    "ETH": (
        "Éthique, protection et réglementation des données",
        "Utiliser les données personnelles et commerciales de façon licite, équitable et "
        "transparente.",
    ),
    "ETH.1": (
        "Droit de la protection des données",
        "Données personnelles des voyageurs et des opérateurs ; confidentialité des déclarations.",
    ),
    "ETH.2": (
        "Équité et transparence des algorithmes",
        "Éviter les discriminations et expliquer les décisions automatisées.",
    ),
    "ETH.3": (
        "Sécurité de l'information",
        "Protéger les données douanières contre les fuites et les usages abusifs.",
    ),
    "LDO": (
        "Direction d'organisations pilotées par les données",
        "Bâtir la culture, les compétences et les structures d'une douane pilotée par les données.",
    ),
    "LDO.1": (
        "Élaboration de politiques fondées sur des données probantes",
        "S'appuyer sur les données pour définir, éprouver et réviser les politiques douanières.",
    ),
    "LDO.2": (
        "Renforcement des capacités d'analyse",
        "Équipes, carrières, formation et partenariats pour l'analyse.",
    ),
    "LDO.3": (
        "Conduite du changement pour la transformation numérique",
        "Emmener agents et opérateurs quand les processus s'appuient sur les données.",
    ),
}

# track code → (nom, description)
TRACKS_FR: dict[str, tuple[str, str]] = {
    "LEADERS": (
        "Dirigeants",
        "L'élaboration de politiques fondées sur des données probantes pour les dirigeants "
        "des douanes : ce que les données peuvent dire ou non, comment commander et utiliser "
        "une analyse, et comment diriger une administration pilotée par les données.",
    ),
    "DATA-SPECIALISTS": (
        "Spécialistes des données",
        "Des analystes de terrain qui préparent les données, construisent analyses et "
        "indicateurs de risque, et en communiquent les résultats aux services opérationnels "
        "et à l'encadrement.",
    ),
    "EXPERTS": (
        "Experts",
        "Des spécialistes confirmés qui forment et conseillent les autres : dans leur "
        "administration, dans la région et lors des missions d'assistance technique.",
    ),
}

# Per track: (target audience, entry requirements, [(stage, description)] in the stages' order).
TRACK_DETAILS_FR: dict[str, tuple[str, str, list[tuple[str, str]]]] = {
    "LEADERS": (
        "Directeurs généraux, directeurs adjoints et chefs de direction.",
        "Désignation par le responsable de l'administration.",
        [
            (
                "Orientation",
                "La stratégie en matière de données et ses enjeux pour la direction des douanes.",
            ),
            ("Séminaires de direction", "Gouvernance, analyse des risques et IA responsable."),
            (
                "Laboratoire de politiques",
                "Une vraie question de politique traitée avec les données de l'administration.",
            ),
        ],
    ),
    "DATA-SPECIALISTS": (
        "Analystes de risque, statisticiens, informaticiens qui se tournent vers l'analyse.",
        "Des bases en statistique et en tableur ; l'accord de sa hiérarchie.",
        [
            ("Fondamentaux", "Structures des données douanières, qualité et programmation."),
            ("Analyse", "Statistique, analyse de la valeur et indicateurs de risque."),
            ("Apprentissage automatique", "Modèles supervisés de risque et leur suivi."),
            ("Projet final", "Une analyse remise à un service opérationnel."),
        ],
    ),
    "EXPERTS": (
        "Analystes et gestionnaires de risque expérimentés, accrédités comme formateurs et "
        "conseillers.",
        "Avoir achevé le parcours Spécialistes des données et deux ans de pratique de l'analyse.",
        [
            (
                "Approfondissement",
                "Méthodes avancées dans les domaines choisis par le spécialiste.",
            ),
            (
                "Formation de formateurs",
                "Pédagogie des adultes, conception de cours et évaluation.",
            ),
            ("Pratique du conseil", "Une mission d'assistance technique encadrée."),
        ],
    ),
}
