"""What an import will create: a plain description of a framework, built by the parsers and
checked as a whole before anything touches the database.

Every item remembers where it came from (``row 7`` of a CSV, ``item <identifier>`` of a CASE
package), so each error names the place and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lms.core.i18n import _
from lms.frameworks.models import TAXONOMY_TERMS, RollupRule


@dataclass
class ImportProblem:
    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass
class LevelPlan:
    name: str
    descriptor: str = ""
    is_default: bool = False
    is_proficient: bool = False
    uuid: str | None = None
    name_fr: str | None = None
    descriptor_fr: str | None = None


@dataclass
class ScalePlan:
    levels: list[LevelPlan]
    name: str = ""
    description: str = ""
    uuid: str | None = None
    name_fr: str | None = None
    description_fr: str | None = None


@dataclass
class CompetencyPlan:
    location: str
    code: str
    short_name: str
    parent_code: str | None = None
    description: str = ""
    sort_order: int = 0
    rule: RollupRule = RollupRule.NONE
    rule_threshold: int | None = None
    rule_points: int = 0
    rule_required: bool = False
    related_codes: list[str] = field(default_factory=list)
    indicators: dict[str, str] = field(default_factory=dict)  # level name → text
    uuid: str | None = None
    short_name_fr: str | None = None
    description_fr: str | None = None
    indicators_fr: dict[str, str] = field(default_factory=dict)  # level name → French text


@dataclass
class FrameworkPlan:
    name: str
    code: str
    scale: ScalePlan
    version: int = 1
    description: str = ""
    source_document: str = ""
    language: str = "en"
    taxonomy: list[str] = field(default_factory=list)
    uuid: str | None = None
    competencies: list[CompetencyPlan] = field(default_factory=list)
    name_fr: str | None = None
    description_fr: str | None = None

    def depth(self, plan: CompetencyPlan) -> int:
        by_code = {c.code: c for c in self.competencies}
        depth, node = 1, plan
        while node.parent_code:
            depth += 1
            node = by_code[node.parent_code]
        return depth

    def in_tree_order(self) -> list[tuple[CompetencyPlan, int]]:
        """Depth-first, siblings by sort order: the order a preview lists them in."""
        children: dict[str | None, list[CompetencyPlan]] = {}
        for c in self.competencies:
            children.setdefault(c.parent_code, []).append(c)
        out: list[tuple[CompetencyPlan, int]] = []

        def walk(code: str | None, depth: int) -> None:
            for c in sorted(children.get(code, []), key=lambda c: c.sort_order):
                out.append((c, depth))
                walk(c.code, depth + 1)

        walk(None, 1)
        return out


@dataclass
class ParseResult:
    plan: FrameworkPlan | None
    problems: list[ImportProblem]

    @property
    def ok(self) -> bool:
        return self.plan is not None and not self.problems


def check_plan(plan: FrameworkPlan) -> list[ImportProblem]:
    """The rules every import obeys, whatever the format: names present, codes unique,
    parents known, no cycles, indicators on known levels, related codes known, points rules
    complete."""
    problems: list[ImportProblem] = []
    add = problems.append
    if not plan.name.strip():
        add(ImportProblem("framework", _("the framework has no name")))
    if not plan.code.strip():
        add(ImportProblem("framework", _("the framework has no ID number (code)")))
    unknown_terms = [t for t in plan.taxonomy if t not in TAXONOMY_TERMS]
    if unknown_terms:
        add(
            ImportProblem(
                "framework",
                _("unknown taxonomy term(s): %(terms)s", terms=", ".join(unknown_terms)),
            )
        )
    level_names = [lv.name for lv in plan.scale.levels]
    if len(level_names) < 2:
        add(ImportProblem("scale", _("the scale needs at least two levels")))
    if any(not n.strip() for n in level_names):
        add(ImportProblem("scale", _("a level of the scale has no name")))
    if len(set(level_names)) != len(level_names):
        add(ImportProblem("scale", _("two levels of the scale have the same name")))
    if sum(1 for lv in plan.scale.levels if lv.is_default) != 1:
        add(ImportProblem("scale", _("exactly one level must be the default")))
    if not any(lv.is_proficient for lv in plan.scale.levels):
        add(ImportProblem("scale", _("at least one level must be proficient")))

    by_code: dict[str, CompetencyPlan] = {}
    for c in plan.competencies:
        if not c.code.strip():
            add(ImportProblem(c.location, _("the competency has no ID number (code)")))
            continue
        if not c.short_name.strip():
            add(
                ImportProblem(
                    c.location, _("competency %(code)s has an empty short name", code=c.code)
                )
            )
        if c.code in by_code:
            add(
                ImportProblem(
                    c.location,
                    _(
                        "duplicate code %(code)s (first used at %(where)s)",
                        code=c.code,
                        where=by_code[c.code].location,
                    ),
                )
            )
            continue
        by_code[c.code] = c
    for c in plan.competencies:
        if c.parent_code and c.parent_code not in by_code:
            add(ImportProblem(c.location, _("unknown parent %(code)s", code=c.parent_code)))
        for level in c.indicators:
            if level not in level_names:
                add(
                    ImportProblem(
                        c.location,
                        _("unknown level “%(level)s” in the level indicators", level=level),
                    )
                )
        for related in c.related_codes:
            if related not in by_code:
                add(
                    ImportProblem(
                        c.location, _("unknown cross-referenced competency %(code)s", code=related)
                    )
                )
            elif related == c.code:
                add(ImportProblem(c.location, _("a competency cannot refer to itself")))
        if c.rule == RollupRule.POINTS and not (c.rule_threshold and c.rule_threshold >= 1):
            add(ImportProblem(c.location, _("a points rule needs a threshold of at least 1")))
    # Cycles: follow each chain of parents; meeting a code twice is a cycle.
    reported: set[str] = set()
    for c in plan.competencies:
        seen: list[str] = []
        node: CompetencyPlan | None = c
        while node is not None and node.parent_code:
            if node.code in seen:
                cycle = seen[seen.index(node.code) :]
                if not reported.intersection(cycle):
                    reported.update(cycle)
                    add(
                        ImportProblem(
                            c.location,
                            _(
                                "cycle in the hierarchy: %(path)s",
                                path=" → ".join([*cycle, node.code]),
                            ),
                        )
                    )
                break
            seen.append(node.code)
            node = by_code.get(node.parent_code)
    return problems
