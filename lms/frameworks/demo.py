"""Demo data: a data-analytics capacity-building framework for customs, written for this
product, published, with the Leaders, Data specialists and Experts tracks and their targets."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.frameworks import services
from lms.frameworks import tracks as track_services
from lms.frameworks.demo_fr import COMPETENCIES_FR, FRAMEWORK_FR, TRACK_DETAILS_FR, TRACKS_FR
from lms.frameworks.models import Competency, RollupRule

# (code, short name, description, [Awareness, Practitioner, Advanced, Expert])
Leaf = tuple[str, str, str, list[str]]
DOMAINS: list[tuple[str, str, str, RollupRule, list[Leaf]]] = [
    (
        "GOV",
        "Data governance and policy",
        "Setting the rules, roles and strategy that make customs data trustworthy and usable.",
        RollupRule.ALL,
        [
            (
                "GOV.1",
                "Data strategy for customs",
                "Links data work to the administration's revenue, facilitation and "
                "enforcement goals.",
                [
                    "Explains why a data strategy matters for a customs administration.",
                    "Contributes to a data strategy and aligns team plans with it.",
                    "Drafts a data strategy with measurable objectives and a roadmap.",
                    "Leads the strategy across directorates and reports on it to leadership.",
                ],
            ),
            (
                "GOV.2",
                "Data ownership and stewardship",
                "Who is accountable for each data set, from declarations to seizures.",
                [
                    "Names the owners of the main customs data sets.",
                    "Acts as steward for a data set and keeps its documentation current.",
                    "Sets up a stewardship network across business units.",
                    "Designs the ownership model and advises other administrations on it.",
                ],
            ),
            (
                "GOV.3",
                "Data sharing agreements",
                "Exchanging data with other agencies and administrations under clear terms.",
                [
                    "Knows the agreements under which the administration shares data.",
                    "Prepares a sharing request with purpose, fields and safeguards.",
                    "Negotiates agreements with partner agencies and monitors compliance.",
                    "Designs national or regional exchange frameworks (for example under "
                    "mutual administrative assistance).",
                ],
            ),
        ],
    ),
    (
        "DMQ",
        "Data management and quality",
        "Collecting, integrating and keeping customs data fit for analysis.",
        RollupRule.NONE,
        [
            (
                "DMQ.1",
                "Declaration data structures",
                "The WCO Data Model, national declaration formats and their reference data.",
                [
                    "Recognises the main data elements of a goods declaration.",
                    "Maps national declaration fields to the WCO Data Model.",
                    "Designs data structures for new procedures and e-commerce flows.",
                    "Advises on data model alignment in regional or WCO working groups.",
                ],
            ),
            (
                "DMQ.2",
                "Data quality assessment",
                "Measuring completeness, validity and consistency of declaration data.",
                [
                    "Describes common data quality problems such as wrong HS codes or values.",
                    "Runs quality checks and reports error rates by field and trader.",
                    "Builds automated quality controls into the clearance data pipeline.",
                    "Sets the quality framework and targets for the administration.",
                ],
            ),
            (
                "DMQ.3",
                "Data integration and pipelines",
                "Bringing together declarations, manifests, risk and enforcement data.",
                [
                    "Knows which systems hold which customs data.",
                    "Writes queries that join declarations with manifest and seizure data.",
                    "Builds and maintains reproducible data pipelines.",
                    "Designs the integration architecture (warehouse or lake) and its governance.",
                ],
            ),
            (
                "DMQ.4",
                "Reference and master data",
                "Trader registers, tariff nomenclature, country and location codes.",
                [
                    "Uses the tariff and trader reference data correctly.",
                    "Maintains a reference table and manages its versions.",
                    "Sets up master data management for traders across systems.",
                    "Defines the master data strategy and its controls.",
                ],
            ),
        ],
    ),
    (
        "STA",
        "Statistics and analytics",
        "Describing trade and revenue, and testing hypotheses with sound methods.",
        RollupRule.NONE,
        [
            (
                "STA.1",
                "Descriptive trade statistics",
                "Volumes, values, revenue and trends by commodity, origin and trader.",
                [
                    "Reads standard trade and revenue tables correctly.",
                    "Produces trade statistics with correct aggregation and units.",
                    "Analyses trends and anomalies and explains them to managers.",
                    "Designs the statistical reporting programme of the administration.",
                ],
            ),
            (
                "STA.2",
                "Valuation and price analysis",
                "Comparing declared values with reference prices and distributions.",
                [
                    "Explains why price analysis helps detect under-valuation.",
                    "Computes price ranges by commodity and flags outliers.",
                    "Builds robust valuation databases with seasonal and quality adjustment.",
                    "Advises on valuation analytics methods and their legal use.",
                ],
            ),
            (
                "STA.3",
                "Inferential statistics and sampling",
                "Confidence, sampling of inspections and measuring the effect of controls.",
                [
                    "Understands sampling and the difference between signal and noise.",
                    "Designs a random inspection sample and estimates compliance rates.",
                    "Evaluates the effect of a control with appropriate methods.",
                    "Reviews the statistical methods used across the administration.",
                ],
            ),
            (
                "STA.4",
                "Programming for analysis",
                "Python, R or SQL for reproducible analysis.",
                [
                    "Runs an existing script or query and reads its results.",
                    "Writes clean, documented scripts for routine analyses.",
                    "Builds reusable packages and code review practices for the team.",
                    "Sets coding standards and mentors analysts across units.",
                ],
            ),
        ],
    ),
    (
        "RSK",
        "Risk management and fraud-detection analytics",
        "Targeting consignments and traders with data, and learning from results.",
        RollupRule.POINTS,
        [
            (
                "RSK.1",
                "Risk indicators and profiles",
                "Turning intelligence and history into selectivity criteria.",
                [
                    "Explains how risk profiles drive channel selection.",
                    "Writes and tests risk indicators against past results.",
                    "Manages the profile portfolio and retires weak indicators.",
                    "Designs the risk management framework and its governance.",
                ],
            ),
            (
                "RSK.2",
                "Fraud pattern analysis",
                "Misclassification, under-valuation, origin fraud and smuggling patterns.",
                [
                    "Names the main customs fraud types and their data traces.",
                    "Finds suspicious patterns in declaration data.",
                    "Investigates networks of traders, brokers and carriers with data.",
                    "Shares fraud analytics methods with other administrations.",
                ],
            ),
            (
                "RSK.3",
                "Targeting performance measurement",
                "Hit rates, detection rates and the cost of controls.",
                [
                    "Knows the hit rate and why it alone is misleading.",
                    "Reports targeting performance with random-sample baselines.",
                    "Optimises the control mix against detection and facilitation goals.",
                    "Defines the performance measurement framework for enforcement.",
                ],
            ),
        ],
    ),
    (
        "ML",
        "Machine learning",
        "Predictive models for risk, classification and valuation, used responsibly.",
        RollupRule.NONE,
        [
            (
                "ML.1",
                "Supervised learning for risk",
                "Models that predict the outcome of an inspection.",
                [
                    "Explains what a predictive risk model does and does not do.",
                    "Trains and evaluates a model on inspection results.",
                    "Deals with selection bias, imbalance and drift in production models.",
                    "Leads model development programmes and reviews others' models.",
                ],
            ),
            (
                "ML.2",
                "Text and image analytics",
                "Goods descriptions, HS classification support, X-ray images.",
                [
                    "Knows how text and image models support classification and scanning.",
                    "Applies an existing text model to goods descriptions.",
                    "Builds and validates classification-support models.",
                    "Designs the use of text and image AI across the clearance process.",
                ],
            ),
            (
                "ML.3",
                "Model deployment and monitoring",
                "Putting models into the clearance system and keeping them healthy.",
                [
                    "Understands why models need monitoring after deployment.",
                    "Monitors a deployed model's inputs and outputs.",
                    "Sets up deployment, versioning and retraining pipelines.",
                    "Defines model risk management policy.",
                ],
            ),
        ],
    ),
    (
        "VIS",
        "Visualisation and communication",
        "Making evidence understood by officers, managers and policy makers.",
        RollupRule.NONE,
        [
            (
                "VIS.1",
                "Dashboards for operations",
                "Daily views of clearance times, inspections and revenue.",
                [
                    "Reads an operational dashboard and spots what needs action.",
                    "Builds a clear dashboard for a team's routine decisions.",
                    "Designs dashboard suites with consistent definitions.",
                    "Sets visual standards and reviews dashboards across the administration.",
                ],
            ),
            (
                "VIS.2",
                "Data storytelling for decision makers",
                "Briefs and presentations that lead to decisions.",
                [
                    "Recognises a clear chart and a misleading one.",
                    "Writes a one-page brief with the key chart and the ask.",
                    "Presents analysis to senior management and handles challenge.",
                    "Coaches others to communicate evidence to ministers and partners.",
                ],
            ),
            (
                "VIS.3",
                "Geospatial analysis",
                "Maps of routes, border posts and seizures.",
                [
                    "Reads maps of trade flows and seizures.",
                    "Produces maps of border activity from location data.",
                    "Analyses routes and hot spots with spatial methods.",
                    "Advises on geospatial intelligence for border management.",
                ],
            ),
        ],
    ),
    (
        "ETH",
        "Data ethics, privacy and regulation",
        "Using personal and commercial data lawfully, fairly and transparently.",
        RollupRule.ALL,
        [
            (
                "ETH.1",
                "Data protection law",
                "Personal data of travellers and traders; confidentiality of declarations.",
                [
                    "Knows which customs data are personal or commercially confidential.",
                    "Applies data protection rules when preparing an analysis.",
                    "Conducts data protection impact assessments.",
                    "Advises leadership on data protection policy and its reform.",
                ],
            ),
            (
                "ETH.2",
                "Fairness and transparency of algorithms",
                "Avoiding discrimination and explaining automated decisions.",
                [
                    "Explains how an algorithm can treat groups of traders unfairly.",
                    "Checks a model's results for unfair differences between groups.",
                    "Designs explanations and appeal routes for automated selection.",
                    "Shapes the administration's policy on responsible AI.",
                ],
            ),
            (
                "ETH.3",
                "Information security",
                "Protecting customs data from leaks and misuse.",
                [
                    "Follows security rules when handling data extracts.",
                    "Applies access control and pseudonymisation in analysis projects.",
                    "Designs secure analysis environments.",
                    "Sets security requirements for data platforms and partners.",
                ],
            ),
        ],
    ),
    (
        "LDO",
        "Leadership of data-driven organisations",
        "Building the culture, skills and structures that make customs data-driven.",
        RollupRule.NONE,
        [
            (
                "LDO.1",
                "Evidence-based policy making",
                "Using data to set, test and revise customs policies.",
                [
                    "Asks for the evidence behind a policy proposal.",
                    "Commissions analysis to inform a policy decision.",
                    "Evaluates policies with data and adjusts them.",
                    "Institutionalises evidence-based policy making across the administration.",
                ],
            ),
            (
                "LDO.2",
                "Building analytics capacity",
                "Teams, careers, training and partnerships for analytics.",
                [
                    "Knows the roles an analytics function needs.",
                    "Plans the skills development of an analytics team.",
                    "Builds an analytics unit with career paths and partnerships.",
                    "Advises other administrations on building analytics capacity.",
                ],
            ),
            (
                "LDO.3",
                "Change management for digital transformation",
                "Bringing officers and traders along when processes become data-driven.",
                [
                    "Recognises resistance to data-driven change and its causes.",
                    "Plans communication and training for a data project.",
                    "Leads a transformation project through its change challenges.",
                    "Leads transformation programmes and mentors other leaders.",
                ],
            ),
        ],
    ),
]

RELATED = [
    ("GOV.3", "ETH.1"),
    ("DMQ.2", "STA.1"),
    ("RSK.1", "ML.1"),
    ("RSK.3", "STA.3"),
    ("ML.1", "ETH.2"),
    ("VIS.2", "LDO.1"),
]
# RSK is a points rule: indicators and fraud analysis are required, performance adds a point.
RSK_POINTS = {"RSK.1": (2, True), "RSK.2": (2, True), "RSK.3": (1, False)}

TRACKS = [
    (
        "LEADERS",
        "Leaders",
        "Evidence-based policy making for customs executives: what data can and cannot tell, "
        "how to commission and use analysis, and how to lead a data-driven administration.",
        "Directors general, deputy directors and heads of directorates.",
        12,
        "Nomination by the head of the administration.",
        None,
        [
            ("Orientation", "The data strategy and its stakes for customs leadership."),
            ("Executive seminars", "Governance, risk analytics and responsible AI."),
            ("Policy lab", "A real policy question answered with the administration's data."),
        ],
        {
            "GOV.1": "Advanced",
            "GOV.2": "Practitioner",
            "GOV.3": "Practitioner",
            "DMQ.2": "Awareness",
            "RSK.3": "Practitioner",
            "ML.1": "Awareness",
            "VIS.2": "Practitioner",
            "ETH.1": "Practitioner",
            "ETH.2": "Practitioner",
            "LDO.1": "Advanced",
            "LDO.2": "Advanced",
            "LDO.3": "Advanced",
        },
    ),
    (
        "DATA-SPECIALISTS",
        "Data specialists",
        "Hands-on analysts who prepare data, build analyses and risk indicators, and "
        "communicate results to operations and management.",
        "Risk analysts, statisticians, IT staff moving into analytics.",
        26,
        "Basic statistics and spreadsheet skills; a manager's endorsement.",
        None,
        [
            ("Foundations", "Customs data structures, quality and programming."),
            ("Analytics", "Statistics, valuation analysis and risk indicators."),
            ("Machine learning", "Supervised models for risk and their monitoring."),
            ("Capstone project", "An analysis delivered to an operational unit."),
        ],
        {
            "GOV.2": "Practitioner",
            "DMQ.1": "Advanced",
            "DMQ.2": "Advanced",
            "DMQ.3": "Advanced",
            "DMQ.4": "Practitioner",
            "STA.1": "Advanced",
            "STA.2": "Advanced",
            "STA.3": "Practitioner",
            "STA.4": "Advanced",
            "RSK.1": "Advanced",
            "RSK.2": "Practitioner",
            "RSK.3": "Practitioner",
            "ML.1": "Practitioner",
            "ML.3": "Practitioner",
            "VIS.1": "Advanced",
            "VIS.2": "Practitioner",
            "ETH.1": "Practitioner",
            "ETH.3": "Practitioner",
        },
    ),
    (
        "EXPERTS",
        "Experts",
        "Senior specialists who train and advise others: in their own administration, in "
        "the region and in technical assistance missions.",
        "Experienced analysts and risk managers accredited as trainers and advisers.",
        40,
        "Completed the Data specialists track and two years of analytics practice.",
        "DATA-SPECIALISTS",
        [
            ("Deepening", "Advanced methods in the specialist's chosen domains."),
            ("Training of trainers", "Adult learning, course design and assessment."),
            ("Advisory practice", "A supervised technical assistance mission."),
        ],
        {
            "GOV.1": "Practitioner",
            "GOV.3": "Advanced",
            "DMQ.2": "Expert",
            "DMQ.3": "Advanced",
            "STA.2": "Expert",
            "STA.3": "Advanced",
            "RSK.1": "Expert",
            "RSK.2": "Expert",
            "RSK.3": "Advanced",
            "ML.1": "Advanced",
            "ML.2": "Practitioner",
            "ML.3": "Advanced",
            "VIS.2": "Advanced",
            "ETH.2": "Advanced",
            "LDO.2": "Practitioner",
        },
    ),
]


def _french(code: str) -> dict[str, str]:
    name, description = COMPETENCIES_FR[code]
    return {"short_name_fr": name, "description_fr": description}


def load_frameworks(session: Session) -> str:
    actor = session.scalar(sa.select(User).where(User.email == "directorate@example.org"))
    scale = services.default_scale(session, actor=actor)
    levels = {lv.name: lv for lv in scale.levels}
    names = [lv.name for lv in scale.levels]
    framework = services.create_framework(
        session,
        actor=actor,
        name="Customs data analytics competency framework",
        code="CDA",
        scale=scale,
        description=(
            "The competencies a customs administration needs to become data-driven: from "
            "governance and data quality to risk analytics, machine learning and leadership. "
            "Written for the organisation's data strategy and its three tracks."
        ),
        source_document="Data strategy for customs capacity building, competency annex",
        language="en",
        taxonomy=["domain", "competency"],
        french={"name_fr": FRAMEWORK_FR[0], "description_fr": FRAMEWORK_FR[1]},
    )
    by_code: dict[str, Competency] = {}
    for code, name, description, rule, leaves in DOMAINS:
        domain = services.create_competency(
            session,
            framework,
            actor=actor,
            code=code,
            short_name=name,
            description=description,
            rule=rule,
            rule_threshold=4 if rule == RollupRule.POINTS else None,
            french=_french(code),
        )
        by_code[code] = domain
        for leaf_code, leaf_name, leaf_description, indicators in leaves:
            points, required = RSK_POINTS.get(leaf_code, (0, False))
            by_code[leaf_code] = services.create_competency(
                session,
                framework,
                actor=actor,
                parent=domain,
                code=leaf_code,
                short_name=leaf_name,
                description=leaf_description,
                indicators={levels[n].id: text for n, text in zip(names, indicators, strict=True)},
                rule_points=points,
                rule_required=required,
                french=_french(leaf_code),
            )
    session.flush()
    for a, b in RELATED:
        current = [c.code for c in services.related_competencies(session, by_code[a])]
        services.set_related(session, by_code[a], [*current, b], actor=actor)
    services.publish_framework(session, framework, actor=actor)

    tracks: dict[str, object] = {}
    for code, name, description, audience, weeks, entry, prerequisite, stages, targets in TRACKS:
        track = track_services.create_track(
            session,
            actor=actor,
            code=code,
            name=name,
            framework=framework,
            description=description,
            target_audience=audience,
            expected_duration_weeks=weeks,
            entry_requirements=entry,
            prerequisite=tracks.get(prerequisite) if prerequisite else None,
            french={
                "name_fr": TRACKS_FR[code][0],
                "description_fr": TRACKS_FR[code][1],
                "target_audience_fr": TRACK_DETAILS_FR[code][0],
                "entry_requirements_fr": TRACK_DETAILS_FR[code][1],
            },
        )
        session.flush()
        track_services.set_stages(
            session, track, stages, actor=actor, french=TRACK_DETAILS_FR[code][2]
        )
        track_services.set_targets(
            session,
            track,
            {by_code[c].id: levels[level].id for c, level in targets.items()},
            actor=actor,
        )
        tracks[code] = track
    return (
        f"Demo frameworks: {framework.code} v{framework.version} with {len(by_code)} "
        f"competencies, {len(tracks)} tracks."
    )
