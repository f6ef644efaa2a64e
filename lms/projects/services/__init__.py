"""Business rules for assistance projects, by sub-area.

Plain functions over a SQLAlchemy session; the caller commits once. "Today" is always a
parameter, so late milestones and the RAG rating are computed for a given date (and tested on
a fixed one). The names are re-exported here, so ``lms.projects.services.X`` keeps working for
the other features and the tests whichever module ``X`` lives in.
"""

from __future__ import annotations

from lms.projects.permissions import (
    can_create_project,
    can_edit_project,
    can_set_beneficiaries,
    can_view_project,
    is_focal_point,
    is_project_manager,
    may_see_any_project,
    sees_whole_portfolio,
    visible_projects_clause,
)
from lms.projects.services.budget import add_partner, remove_partner, set_budget_line
from lms.projects.services.choices import (
    SESSION_CHOICES_LIMIT,
    SessionChoices,
    active_members,
    active_project_managers,
    active_users,
    linkable_session,
    linkable_sessions,
    project_activities,
)
from lms.projects.services.common import _, _decimal, _number, _pct, _text, parse_period
from lms.projects.services.indicators import (
    INDICATOR_FIELDS,
    add_indicator,
    current_actuals,
    indicators_by_element,
    latest_actual,
    planned_value,
    report_actual,
    set_target,
    update_indicator,
)
from lms.projects.services.logframe import (
    add_activity,
    add_logframe_element,
    logframe_tree,
    update_logframe_element,
)
from lms.projects.services.milestones import (
    MILESTONE_FIELDS,
    add_milestone,
    add_phase,
    late_milestones,
    replan_milestone,
    update_milestone,
    update_phase,
)
from lms.projects.services.portfolio import (
    PortfolioFilters,
    PortfolioRow,
    portfolio_query,
    portfolio_row,
    status_counts,
)
from lms.projects.services.projects import (
    PROJECT_FIELDS,
    create_project,
    set_beneficiaries,
    update_project,
)
from lms.projects.services.rag import (
    DELIVERY_GAP_AMBER,
    DELIVERY_GAP_RED,
    LATE_COUNT_RED,
    LATE_DAYS_RED,
    REPORTING_GRACE_DAYS,
    TRAJECTORY_AMBER,
    TRAJECTORY_RED,
    RagAssessment,
    RagReason,
    compute_rag,
    milestones_done_share,
    override_rag,
    time_elapsed,
    withdraw_override,
)
from lms.projects.services.read_model import (
    load_project,
    rag_ready_options,
    rag_ready_project,
    rag_ready_projects_query,
)
from lms.projects.services.risks import RISK_FIELDS, add_progress_update, save_risk
from lms.projects.services.user_history import project_history_reason

__all__ = [
    "DELIVERY_GAP_AMBER",
    "DELIVERY_GAP_RED",
    "INDICATOR_FIELDS",
    "LATE_COUNT_RED",
    "LATE_DAYS_RED",
    "MILESTONE_FIELDS",
    "PROJECT_FIELDS",
    "REPORTING_GRACE_DAYS",
    "RISK_FIELDS",
    "SESSION_CHOICES_LIMIT",
    "TRAJECTORY_AMBER",
    "TRAJECTORY_RED",
    "PortfolioFilters",
    "PortfolioRow",
    "RagAssessment",
    "RagReason",
    "SessionChoices",
    "_",
    "_decimal",
    "_number",
    "_pct",
    "_text",
    "active_members",
    "active_project_managers",
    "active_users",
    "add_activity",
    "add_indicator",
    "add_logframe_element",
    "add_milestone",
    "add_partner",
    "add_phase",
    "add_progress_update",
    "can_create_project",
    "can_edit_project",
    "can_set_beneficiaries",
    "can_view_project",
    "compute_rag",
    "create_project",
    "current_actuals",
    "indicators_by_element",
    "is_focal_point",
    "is_project_manager",
    "late_milestones",
    "latest_actual",
    "linkable_session",
    "linkable_sessions",
    "load_project",
    "logframe_tree",
    "may_see_any_project",
    "milestones_done_share",
    "override_rag",
    "parse_period",
    "planned_value",
    "portfolio_query",
    "portfolio_row",
    "project_activities",
    "project_history_reason",
    "rag_ready_options",
    "rag_ready_project",
    "rag_ready_projects_query",
    "remove_partner",
    "replan_milestone",
    "report_actual",
    "save_risk",
    "sees_whole_portfolio",
    "set_beneficiaries",
    "set_budget_line",
    "set_target",
    "status_counts",
    "time_elapsed",
    "update_indicator",
    "update_logframe_element",
    "update_milestone",
    "update_phase",
    "update_project",
    "visible_projects_clause",
    "withdraw_override",
]
