"""Demo courses for the three tracks, with past and upcoming sessions (a small full workshop
and a project session that needs approval among them).

The trainees' histories on these sessions (results, track completion, a waiting list, an
intake...) are the progress feature's demo step, which runs after this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.core import clock
from lms.courses import services
from lms.courses.models import CourseSession, DeliveryMode, PassOutcome
from lms.frameworks.models import Competency, ScaleLevel, Track

R, E, V = PassOutcome.RATE, PassOutcome.EVIDENCE, PassOutcome.REVIEW

# code, title, mode, hours, languages, summary, track code, required,
# [(competency, level, outcome)]
# code → (titre, résumé): the demo catalogue in French (TERMINOLOGY.md).
COURSES_FR: dict[str, tuple[str, str]] = {
    "DS-101": (
        "Fondamentaux des données douanières",
        "Déclarations, manifestes et données de référence : comment les données douanières "
        "sont structurées, stockées et détenues.",
    ),
    "DS-102": (
        "Qualité et préparation des données",
        "Profiler, nettoyer et documenter les données de déclaration pour que les analyses "
        "soient fiables.",
    ),
    "DS-201": (
        "Statistique pour l'analyse douanière",
        "Statistique descriptive, échantillonnage et inférence appliqués aux données du "
        "commerce et de la lutte contre la fraude.",
    ),
    "DS-202": (
        "Indicateurs de risque et sélectivité",
        "Concevoir, tester et suivre les indicateurs de risque et les règles de sélectivité.",
    ),
    "DS-301": (
        "Apprentissage automatique pour la gestion des risques",
        "Des modèles supervisés pour le ciblage, leur évaluation et leur suivi.",
    ),
    "DS-302": (
        "Visualisation et communication",
        "Des tableaux de bord et des graphiques que les services opérationnels et "
        "l'encadrement lisent correctement.",
    ),
    "DS-303": (
        "Éthique, protection et réglementation des données",
        "Bases juridiques, protection des données dès la conception et éthique des décisions "
        "automatisées en douane.",
    ),
    "LD-101": (
        "Élaborer des politiques fondées sur des données probantes",
        "Ce que les données peuvent dire ou non à un dirigeant des douanes, et comment "
        "commander une analyse.",
    ),
    "LD-102": (
        "Diriger une administration pilotée par les données",
        "Organisation, compétences et culture d'une administration qui décide à partir des "
        "données.",
    ),
    "LD-103": (
        "L'IA responsable pour les dirigeants",
        "Possibilités et limites de l'apprentissage automatique ; gouvernance du ciblage "
        "automatisé.",
    ),
    "EX-401": (
        "Analyse avancée des risques",
        "Analyse de réseaux, détection d'anomalies et évaluation des moteurs de risque.",
    ),
    "EX-402": (
        "Ingénierie des données et modèles avancés",
        "Chaînes de traitement, magasins de variables et exploitation des modèles pour les "
        "équipes d'analyse douanière.",
    ),
    "EX-403": (
        "Formation de formateurs et pratique du conseil",
        "Andragogie, conception de cours, évaluation et assistance technique.",
    ),
    "DS-RC": (
        "Remise à niveau des spécialistes des données",
        "Ce qui a changé dans les méthodes, les outils et les règles depuis la certification ; "
        "le parcours de recertification.",
    ),
}
OBJECTIVES_FR = (
    "À la fin du cours, les participants savent appliquer ses méthodes aux données de leur "
    "administration et en expliquer les résultats à leurs collègues."
)
VENUES_FR = {"Online": "En ligne", "Brussels": "Bruxelles"}

COURSES = [
    (
        "DS-101",
        "Customs data foundations",
        DeliveryMode.E_LEARNING,
        20,
        ["en", "fr"],
        "Declarations, manifests and reference data: how customs data is structured, stored and "
        "owned.",
        "DATA-SPECIALISTS",
        True,
        [("DMQ.1", "Advanced", R), ("DMQ.4", "Practitioner", R), ("GOV.2", "Practitioner", R)],
    ),
    (
        "DS-102",
        "Data quality and preparation",
        DeliveryMode.WORKSHOP,
        24,
        ["en", "fr"],
        "Profiling, cleaning and documenting declaration data so that analyses can be trusted.",
        "DATA-SPECIALISTS",
        True,
        [("DMQ.2", "Advanced", R), ("DMQ.3", "Advanced", R)],
    ),
    (
        "DS-201",
        "Statistics for customs analysis",
        DeliveryMode.BLENDED,
        30,
        ["en"],
        "Descriptive statistics, sampling and inference applied to trade and enforcement data.",
        "DATA-SPECIALISTS",
        True,
        [
            ("STA.1", "Advanced", R),
            ("STA.2", "Advanced", R),
            ("STA.3", "Practitioner", R),
            ("STA.4", "Advanced", R),
        ],
    ),
    (
        "DS-202",
        "Risk indicators and selectivity",
        DeliveryMode.WORKSHOP,
        24,
        ["en", "fr"],
        "Designing, testing and monitoring risk indicators and selectivity rules.",
        "DATA-SPECIALISTS",
        True,
        [("RSK.1", "Advanced", R), ("RSK.2", "Practitioner", R), ("RSK.3", "Practitioner", R)],
    ),
    (
        "DS-301",
        "Machine learning for risk management",
        DeliveryMode.VIRTUAL_CLASSROOM,
        30,
        ["en"],
        "Supervised models for targeting, their evaluation and their monitoring.",
        "DATA-SPECIALISTS",
        True,
        [("ML.1", "Practitioner", R), ("ML.3", "Practitioner", R)],
    ),
    (
        "DS-302",
        "Visualisation and communication",
        DeliveryMode.E_LEARNING,
        12,
        ["en", "es"],
        "Dashboards and charts that operations and management read correctly.",
        "DATA-SPECIALISTS",
        True,
        [("VIS.1", "Advanced", R), ("VIS.2", "Practitioner", R)],
    ),
    (
        "DS-303",
        "Data ethics, privacy and regulation",
        DeliveryMode.E_LEARNING,
        8,
        ["en", "fr"],
        "Legal bases, privacy by design and the ethics of automated decisions in customs.",
        "DATA-SPECIALISTS",
        True,
        [("ETH.1", "Practitioner", R), ("ETH.3", "Practitioner", R)],
    ),
    (
        "LD-101",
        "Evidence-based policy making",
        DeliveryMode.WORKSHOP,
        16,
        ["en", "fr"],
        "What data can and cannot tell a customs executive, and how to commission analysis.",
        "LEADERS",
        True,
        [
            ("GOV.1", "Advanced", R),
            ("GOV.3", "Practitioner", R),
            ("LDO.1", "Advanced", R),
            ("DMQ.2", "Awareness", E),
        ],
    ),
    (
        "LD-102",
        "Leading a data-driven administration",
        DeliveryMode.WORKSHOP,
        16,
        ["en", "fr"],
        "Organisation, skills and culture for an administration that decides with data.",
        "LEADERS",
        True,
        [
            ("LDO.2", "Advanced", R),
            ("LDO.3", "Advanced", R),
            ("RSK.3", "Practitioner", R),
            ("GOV.2", "Practitioner", R),
        ],
    ),
    (
        "LD-103",
        "Responsible AI for executives",
        DeliveryMode.VIRTUAL_CLASSROOM,
        8,
        ["en"],
        "Opportunities and limits of machine learning; governance of automated targeting.",
        "LEADERS",
        True,
        [
            ("ML.1", "Awareness", R),
            ("ETH.1", "Practitioner", R),
            ("ETH.2", "Practitioner", R),
            ("VIS.2", "Practitioner", R),
        ],
    ),
    (
        "EX-401",
        "Advanced risk analytics",
        DeliveryMode.WORKSHOP,
        32,
        ["en"],
        "Network analysis, anomaly detection and evaluation of risk engines.",
        "EXPERTS",
        True,
        [
            ("RSK.1", "Expert", R),
            ("RSK.2", "Expert", R),
            ("RSK.3", "Advanced", R),
            ("STA.2", "Expert", R),
            ("STA.3", "Advanced", R),
        ],
    ),
    (
        "EX-402",
        "Advanced data engineering and models",
        DeliveryMode.BLENDED,
        32,
        ["en"],
        "Pipelines, feature stores and model operations for customs analytics teams.",
        "EXPERTS",
        True,
        [
            ("DMQ.2", "Expert", R),
            ("DMQ.3", "Advanced", R),
            ("ML.1", "Advanced", R),
            ("ML.2", "Practitioner", R),
            ("ML.3", "Advanced", R),
        ],
    ),
    (
        "EX-403",
        "Training of trainers and advisory practice",
        DeliveryMode.WORKSHOP,
        40,
        ["en", "fr"],
        "Adult learning, course design, assessment and technical assistance.",
        "EXPERTS",
        True,
        [
            ("LDO.2", "Practitioner", R),
            ("VIS.2", "Advanced", R),
            ("ETH.2", "Advanced", R),
            ("GOV.1", "Practitioner", R),
            ("GOV.3", "Advanced", V),
        ],
    ),
    (
        "DS-RC",
        "Data specialists refresher",
        DeliveryMode.E_LEARNING,
        6,
        ["en", "fr"],
        "What changed in methods, tools and rules since certification; the recertification path.",
        None,
        False,
        [("DMQ.2", "Advanced", E), ("RSK.1", "Advanced", E)],
    ),
]


def _user(session: Session, email: str) -> User:
    return session.scalar(sa.select(User).where(User.email == email))


@dataclass(frozen=True)
class DemoWorld:
    """What the learning demo steps look up before they write: the people, the tracks, the
    framework's competencies and levels."""

    actor: User
    trainer: User
    trainer2: User
    tracks: dict[str, Track]
    framework: Any
    competencies: dict[str, Competency]
    levels: dict[str, ScaleLevel]


def demo_world(session: Session) -> DemoWorld:
    tracks = {t.code: t for t in session.scalars(sa.select(Track))}
    framework = tracks["DATA-SPECIALISTS"].framework
    return DemoWorld(
        actor=_user(session, "directorate@example.org"),
        trainer=_user(session, "trainer@example.org"),
        trainer2=_user(session, "trainer2@example.org"),
        tracks=tracks,
        framework=framework,
        competencies={
            c.code: c
            for c in session.scalars(
                sa.select(Competency).where(Competency.framework_id == framework.id)
            )
        },
        levels={
            lv.name: lv
            for lv in session.scalars(
                sa.select(ScaleLevel).where(ScaleLevel.scale_id == framework.scale_id)
            )
        },
    )


def load_courses(session: Session) -> str:
    today = clock.today()
    world = demo_world(session)
    actor, trainer, trainer2 = world.actor, world.trainer, world.trainer2
    tracks = world.tracks
    competencies, levels = world.competencies, world.levels

    courses = {}
    for code, title, mode, hours, languages, summary, track, required, links in COURSES:
        track_links = (
            [services.TrackLink(tracks[track].id, required)]
            if track
            else [
                services.TrackLink(tracks["DATA-SPECIALISTS"].id, False, for_recertification=True)
            ]
        )
        courses[code] = services.create_course(
            session,
            actor=actor,
            code=code,
            title=title,
            delivery_mode=mode,
            hours=hours,
            languages=languages,
            summary=summary,
            status="published",
            objectives="By the end of the course participants can apply its methods to their "
            "own administration's data and explain the results to colleagues.",
            french={
                "title_fr": COURSES_FR[code][0],
                "summary_fr": COURSES_FR[code][1],
                "objectives_fr": OBJECTIVES_FR,
            },
            competencies=[
                services.CompetencyLink(competencies[c].id, levels[lv].id, outcome)
                for c, lv, outcome in links
            ],
            tracks=track_links,
        )
    courses["DS-201"].prerequisites = [courses["DS-101"]]

    def new_session(
        code: str,
        start: date,
        days: int,
        capacity: int = 20,
        venue: str = "",
        who: User = trainer,
        timezone: str = "Europe/Brussels",
        **extra,
    ) -> CourseSession:
        venue = venue or (
            "Online"
            if courses[code].delivery_mode
            in (DeliveryMode.E_LEARNING, DeliveryMode.VIRTUAL_CLASSROOM)
            else "Brussels"
        )
        return services.create_session(
            session,
            courses[code],
            actor=actor,
            starts_on=start,
            ends_on=start + timedelta(days=days),
            capacity=capacity,
            venue=venue,
            venue_fr=VENUES_FR.get(venue),
            timezone=timezone,
            trainer_ids=[who.id],
            enrolment_deadline=start - timedelta(days=3),
            **extra,
        )

    # Past sessions, a year and a half ago onwards (their results come with the progress demo).
    past = {}
    base = today - timedelta(days=540)
    for index, code in enumerate(
        ["DS-101", "DS-102", "DS-201", "DS-202", "DS-301", "DS-302", "DS-303", "LD-101", "LD-102"]
    ):
        past[code] = new_session(
            code, base + timedelta(days=45 * index), 4, who=trainer if index % 2 == 0 else trainer2
        )

    # Upcoming sessions, open for enrolment.
    upcoming = {}
    for index, code in enumerate(
        [
            "DS-201",
            "DS-202",
            "DS-301",
            "DS-302",
            "DS-303",
            "LD-102",
            "LD-103",
            "EX-401",
            "EX-402",
            "EX-403",
            "DS-RC",
            "DS-101",
            "DS-102",
        ]
    ):
        upcoming[code] = new_session(
            code, today + timedelta(days=14 + 12 * index), 3, who=trainer if index % 3 else trainer2
        )
    # A small workshop (the progress demo fills it and starts a waiting list).
    new_session(
        "DS-202",
        today + timedelta(days=30),
        2,
        capacity=3,
        venue="Nairobi",
        who=trainer2,
        timezone="Africa/Nairobi",
    )
    # A project session that needs approval.
    new_session(
        "DS-301",
        today + timedelta(days=60),
        4,
        capacity=15,
        venue="Kampala",
        timezone="Africa/Kampala",
        requires_approval=True,
        restricted_member_ids=[_user(session, "trainee02@example.org").member_administration_id],
    )
    session.flush()
    return f"Demo courses: {len(courses)} courses, {len(past) + len(upcoming) + 2} sessions."
