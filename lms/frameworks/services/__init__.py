"""Business rules for scales, frameworks and their versions, competencies and the mapping
between versions (tracks: ``lms.frameworks.tracks``; imports: ``lms.frameworks.imports``).

Plain functions over a SQLAlchemy session; the caller commits. Every change to a framework's
content goes through ``require_draft``: published and archived versions are frozen, and the
way to change one is ``create_new_version``.

One module per sub-area; the names are re-exported here so callers import
``lms.frameworks.services`` and never need to know which module holds a rule.
"""

from __future__ import annotations

from lms.frameworks.services.common import FrameworkFrozen, one_line, require_draft
from lms.frameworks.services.competencies import (
    COMPETENCY_FIELDS,
    create_competency,
    delete_competency,
    move_competency,
    related_blocks,
    related_competencies,
    relation_pairs,
    rollup_met,
    save_competency,
    set_indicators,
    set_related,
    shift_competency,
    update_competency,
)
from lms.frameworks.services.mappings import (
    map_competency,
    mapped_from,
    successor_of,
)
from lms.frameworks.services.scales import (
    DEFAULT_LEVEL_POSITION,
    DEFAULT_SCALE_LEVELS,
    DEFAULT_SCALE_NAME,
    PROFICIENT_FROM_POSITION,
    LevelSpec,
    all_scales,
    check_levels,
    create_scale,
    default_scale,
    parse_levels,
    scale_signature,
    scales_query,
)
from lms.frameworks.services.tree import (
    TreeNode,
    ancestors_of,
    build_tree,
    depth_of,
    descendant_ids,
    flatten,
    load_competencies,
    rows_for_targets,
    tree_nodes,
)
from lms.frameworks.services.versions import (
    FRAMEWORK_FIELDS,
    LANGUAGES,
    FrameworkFilters,
    archive_framework,
    check_taxonomy,
    competency_counts,
    create_framework,
    create_new_version,
    current_versions,
    delete_framework,
    frameworks_query,
    publish_framework,
    update_framework,
    versions_of,
)

__all__ = [
    "COMPETENCY_FIELDS",
    "DEFAULT_LEVEL_POSITION",
    "DEFAULT_SCALE_LEVELS",
    "DEFAULT_SCALE_NAME",
    "FRAMEWORK_FIELDS",
    "LANGUAGES",
    "PROFICIENT_FROM_POSITION",
    "FrameworkFilters",
    "FrameworkFrozen",
    "LevelSpec",
    "TreeNode",
    "all_scales",
    "ancestors_of",
    "archive_framework",
    "build_tree",
    "check_levels",
    "check_taxonomy",
    "competency_counts",
    "create_competency",
    "create_framework",
    "create_new_version",
    "create_scale",
    "current_versions",
    "default_scale",
    "delete_competency",
    "delete_framework",
    "depth_of",
    "descendant_ids",
    "flatten",
    "frameworks_query",
    "load_competencies",
    "map_competency",
    "mapped_from",
    "move_competency",
    "one_line",
    "parse_levels",
    "publish_framework",
    "related_blocks",
    "related_competencies",
    "relation_pairs",
    "require_draft",
    "rollup_met",
    "rows_for_targets",
    "save_competency",
    "scale_signature",
    "scales_query",
    "set_indicators",
    "set_related",
    "shift_competency",
    "successor_of",
    "tree_nodes",
    "update_competency",
    "update_framework",
    "versions_of",
]
