"""A framework's hierarchy in memory: the competencies loaded in one query, arranged as a tree
for the browser, the pickers and the exports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from lms.frameworks.models import Competency, Framework


def load_competencies(session: Session, framework: Framework) -> list[Competency]:
    """Every competency of a framework with indicators, in one query (plus one for indicators)."""
    return list(
        session.scalars(
            sa.select(Competency)
            .where(Competency.framework_id == framework.id)
            .options(selectinload(Competency.indicators))
            .order_by(Competency.sort_order, Competency.id)
        )
    )


def depth_of(competency: Competency, within: Sequence[Competency]) -> int:
    by_id = {c.id: c for c in within}
    depth, node = 1, competency
    while node.parent_id is not None:
        depth += 1
        node = by_id[node.parent_id]
    return depth


@dataclass
class TreeNode:
    competency: Competency
    depth: int
    children: list[TreeNode] = field(default_factory=list)
    matches: bool = True


def build_tree(competencies: Sequence[Competency], query: str = "") -> list[TreeNode]:
    """The hierarchy as nested nodes. With a query, only matching competencies and their
    ancestors remain (so a hit is shown in its place)."""
    children: dict[int | None, list[Competency]] = {}
    for c in competencies:
        children.setdefault(c.parent_id, []).append(c)
    for siblings in children.values():
        siblings.sort(key=lambda c: (c.sort_order, c.id))
    q = query.strip().lower()

    def matches(c: Competency) -> bool:
        return (
            not q
            or q in c.code.lower()
            or q in c.short_name.lower()
            or (q in c.description.lower())
        )

    def build(c: Competency, depth: int) -> TreeNode | None:
        kids = [n for k in children.get(c.id, []) if (n := build(k, depth + 1))]
        hit = matches(c)
        if q and not hit and not kids:
            return None
        return TreeNode(c, depth, kids, hit)

    return [n for c in children.get(None, []) if (n := build(c, 1))]


def flatten(nodes: Sequence[TreeNode]) -> list[TreeNode]:
    out: list[TreeNode] = []
    for node in nodes:
        out.append(node)
        out.extend(flatten(node.children))
    return out


def descendant_ids(session: Session, competency: Competency) -> set[int]:
    rows = session.execute(
        sa.select(Competency.id, Competency.parent_id).where(
            Competency.framework_id == competency.framework_id
        )
    ).all()
    kids: dict[int, list[int]] = {}
    for cid, pid in rows:
        if pid is not None:
            kids.setdefault(pid, []).append(cid)
    found: set[int] = set()
    stack = [competency.id]
    while stack:
        for child in kids.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def ancestors_of(competency: Competency) -> list[Competency]:
    """The competency's parents from the top, for the breadcrumb."""
    ancestors: list[Competency] = []
    node = competency.parent
    while node is not None:
        ancestors.insert(0, node)
        node = node.parent
    return ancestors


def rows_for_targets(
    competencies: Sequence[Competency], target_ids: Iterable[int]
) -> list[TreeNode]:
    """The tree rows that show the targeted competencies, each with the ancestors that give it
    its place (a track targets leaves; a reader needs the branch to make sense of them)."""
    by_id = {c.id: c for c in competencies}
    wanted: set[int] = set()
    for cid in target_ids:
        node = by_id.get(cid)
        while node is not None:
            wanted.add(node.id)
            node = by_id.get(node.parent_id) if node.parent_id else None
    return [n for n in flatten(build_tree(competencies)) if n.competency.id in wanted]


def tree_nodes(session: Session, framework: Framework) -> list[TreeNode]:
    """The whole hierarchy in display order, for pickers and matrices."""
    return flatten(build_tree(load_competencies(session, framework)))
