"""The API's documents (marshmallow, through APIFlask): what goes out and what comes in.

Output schemas read the same models and read models as the pages; input schemas only check
shapes and bounds, and the services check the rules (so a page and a call refuse alike)."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import (
    Boolean,
    Date,
    DateTime,
    Decimal,
    Email,
    Float,
    Function,
    Integer,
    List,
    Method,
    Nested,
    String,
    Time,
)
from apiflask.validators import Length, OneOf, Range

from lms.core.pagination import MAX_PAGE
from lms.courses.services import course_activity_iri

ID = Range(min=1, max=2**31 - 1)
NAME = Length(min=1, max=200)


def decimal(**kwargs) -> Decimal:
    """A decimal sent as a string (no float rounding), documented as one."""
    return Decimal(as_string=True, metadata={"type": "string", "format": "decimal"}, **kwargs)


def activity_iri(course) -> str:
    """The course's xAPI activity id: a stable IRI on this installation's address."""
    return course_activity_iri(course)


class TokenIn(Schema):
    name = String(load_default="API", validate=Length(min=1, max=100))
    scope = String(load_default="read-write", validate=OneOf(["read", "read-write"]))
    days = Integer(load_default=None, allow_none=True, validate=Range(min=1, max=366))


class TokenOut(Schema):
    token = String(required=True, metadata={"description": "Shown once; send as a bearer token."})
    expires_at = DateTime(required=True)
    name = String(required=True)
    scope = Function(lambda t: t["scope"].value, required=True)


class MemberOut(Schema):
    id = Integer(required=True)
    name = String(required=True)
    country_code = String(required=True)
    region = String(allow_none=True)
    is_active = Boolean(required=True)


class UserOut(Schema):
    id = Integer(required=True)
    email = Email(required=True)
    full_name = String(required=True)
    member_administration_id = Integer(allow_none=True)
    roles = Function(lambda u: sorted(r.value for r in u.roles), required=True)
    preferred_language = String(allow_none=True)
    is_active = Boolean(required=True)


class FrameworkOut(Schema):
    id = Integer(required=True)
    uuid = String(required=True)
    code = String(required=True)
    name = String(required=True)
    version = String(required=True)
    status = Function(lambda f: f.status.value, required=True)
    published_at = DateTime(allow_none=True)


class CompetencyOut(Schema):
    id = Integer(required=True)
    uuid = String(required=True)
    code = String(required=True)
    short_name = String(required=True)
    description = String(allow_none=True)
    parent_id = Integer(allow_none=True)


class TrackOut(Schema):
    id = Integer(required=True)
    uuid = String(required=True)
    code = String(required=True)
    name = String(required=True)
    framework_id = Integer(allow_none=True)
    is_active = Boolean(required=True)


class TrackEnrolmentOut(Schema):
    id = Integer(required=True)
    user_id = Integer(required=True)
    track_id = Integer(required=True)
    status = Function(lambda e: e.status.value, required=True)
    enrolled_at = DateTime(required=True)
    completed_at = DateTime(allow_none=True)


class CourseOut(Schema):
    id = Integer(required=True)
    code = String(required=True)
    title = String(required=True)
    summary = String(required=True)
    delivery_mode = Function(lambda c: c.delivery_mode.value, required=True)
    hours = decimal(required=True)
    languages = List(String(), required=True)
    status = Function(lambda c: c.status.value, required=True)
    activity_id = Function(activity_iri, required=True)


DELIVERY_MODES = ["e_learning", "workshop", "virtual_classroom", "blended"]
LANGUAGES = ["en", "fr"]


class CompetencyLinkIn(Schema):
    competency_id = Integer(required=True, validate=ID)
    level_id = Integer(
        required=True, validate=ID, metadata={"description": "The level it develops"}
    )
    outcome = String(
        load_default="evidence",
        validate=OneOf(["none", "evidence", "review", "rate"]),
        metadata={"description": "What a pass does: nothing, evidence, a review, a rating."},
    )


class TrackLinkIn(Schema):
    track_id = Integer(required=True, validate=ID)
    is_required = Boolean(load_default=True)


class CourseIn(Schema):
    code = String(required=True, validate=Length(min=1, max=30))
    title = String(required=True, validate=NAME)
    delivery_mode = String(required=True, validate=OneOf(DELIVERY_MODES))
    hours = Float(required=True, validate=Range(min=0, max=10_000))
    languages = List(String(validate=OneOf(LANGUAGES)), required=True, validate=Length(min=1))
    summary = String(load_default="", validate=Length(max=5000))
    objectives = String(load_default="", validate=Length(max=5000))
    status = String(load_default="draft", validate=OneOf(["draft", "published", "retired"]))
    competencies = List(Nested(CompetencyLinkIn), load_default=list, validate=Length(max=100))
    tracks = List(Nested(TrackLinkIn), load_default=list, validate=Length(max=50))


class SessionOut(Schema):
    id = Integer(required=True)
    course_id = Integer(required=True)
    starts_on = Date(required=True)
    ends_on = Date(required=True)
    start_time = Time(required=True)
    end_time = Time(required=True)
    timezone = String(required=True)
    venue = String(required=True)
    capacity = Integer(required=True)
    seats_taken = Integer(required=True)
    language = String(required=True)
    requires_approval = Boolean(required=True)
    status = Function(lambda s: s.status.value, required=True)
    trainer_ids = Function(lambda s: sorted(t.id for t in s.trainers), required=True)


class SessionIn(Schema):
    course_id = Integer(required=True, validate=ID)
    starts_on = Date(required=True)
    ends_on = Date(required=True)
    capacity = Integer(required=True, validate=Range(min=1, max=10_000))
    start_time = Time(load_default=None, allow_none=True)
    end_time = Time(load_default=None, allow_none=True)
    timezone = String(load_default="UTC", validate=Length(min=1, max=60))
    venue = String(load_default="", validate=Length(max=200))
    language = String(load_default="en", validate=OneOf(LANGUAGES))
    requires_approval = Boolean(load_default=False)
    status = String(
        load_default="open", validate=OneOf(["planned", "open", "running", "closed", "cancelled"])
    )
    trainer_ids = List(Integer(validate=ID), load_default=list, validate=Length(max=50))


class EnrolmentOut(Schema):
    id = Integer(required=True)
    session_id = Integer(required=True)
    user_id = Integer(required=True)
    status = Function(lambda e: e.status.value, required=True)
    requested_at = DateTime(required=True)
    score = decimal(allow_none=True)
    passed = Boolean(allow_none=True)
    result_recorded_at = DateTime(allow_none=True)


class EnrolmentIn(Schema):
    user_id = Integer(
        load_default=None,
        allow_none=True,
        validate=ID,
        metadata={"description": "The trainee to enrol; the caller when absent."},
    )


class ResultIn(Schema):
    score = Float(load_default=None, allow_none=True, validate=Range(min=0, max=100))
    passed = Boolean(required=True)


class EnrolmentPatch(Schema):
    status = String(
        validate=OneOf(["enrolled", "rejected", "withdrawn", "attended", "no_show"]),
        metadata={
            "description": "enrolled approves a request; attended / no_show mark attendance."
        },
    )
    result = Nested(ResultIn)
    note = String(load_default="", validate=Length(max=500))


class RatingOut(Schema):
    level = Function(lambda r: r.level.name, required=True)
    level_position = Function(lambda r: r.level.position, required=True)
    source = Function(lambda r: r.source.value, required=True)
    rated_at = DateTime(required=True)
    rated_by_id = Integer(allow_none=True)


class CompetencyLevelOut(Schema):
    competency_id = Integer(required=True)
    code = String(required=True)
    short_name = String(required=True)
    current = Nested(RatingOut, allow_none=True)
    history = List(Nested(RatingOut), required=True)


class CompetencyLevelsOut(Schema):
    user_id = Integer(required=True)
    items = List(Nested(CompetencyLevelOut), required=True)


class CourseStepOut(Schema):
    course_id = Function(lambda c: c.course.id, required=True)
    code = Function(lambda c: c.course.code, required=True)
    required = Function(lambda c: c.is_required, required=True)
    completed = Boolean(required=True)


class TargetStepOut(Schema):
    competency_id = Function(lambda t: t.competency.id, required=True)
    target_level = Function(lambda t: t.target_level.name, required=True)
    current_level = Method("_current", allow_none=True)
    met = Boolean(required=True)

    def _current(self, target):
        return target.current_level.name if target.current_level else None


class ProgressOut(Schema):
    user_id = Integer(required=True)
    track_id = Function(lambda p: p["progress"].track.id, required=True)
    enrolled = Function(lambda p: p["progress"].enrolment is not None, required=True)
    percent = Function(lambda p: p["progress"].percent, required=True)
    complete = Function(lambda p: p["progress"].is_complete, required=True)
    courses = Function(
        lambda p: CourseStepOut(many=True).dump(p["progress"].courses), required=True
    )
    targets = Function(
        lambda p: TargetStepOut(many=True).dump(p["progress"].targets), required=True
    )


class CertificateOut(Schema):
    id = Integer(required=True)
    user_id = Integer(required=True)
    track_id = Integer(required=True)
    verification_code = String(required=True)
    issued_on = Date(required=True)
    expires_on = Date(allow_none=True)
    status = String(
        required=True,
        validate=OneOf(["valid", "expiring", "lapsed", "superseded", "revoked"]),
        metadata={"description": "On today's date, by the verification page's rule."},
    )


class BadgeOut(Schema):
    id = Integer(required=True)
    uuid = String(required=True)
    user_id = Integer(required=True)
    track_id = Integer(required=True)
    certificate_id = Integer(required=True)
    name = String(required=True, metadata={"description": "The badge class: the track's name."})
    issued_on = Date(required=True)
    expires_on = Date(allow_none=True)
    revoked = Boolean(required=True)
    revocation_reason = String(allow_none=True)
    recipient_email = Email(required=True)
    assertion_url = String(
        required=True, metadata={"description": "The Open Badges 2.0 hosted assertion."}
    )
    badge_class_url = String(required=True)
    baked_url = String(
        required=True,
        metadata={"description": "The badge PNG, with the 2.0 assertion and 3.0 credential."},
    )
    credential_url = String(
        required=True, metadata={"description": "The Open Badges 3.0 credential (JWT-VC)."}
    )
    issuer_key_url = String(
        required=True, metadata={"description": "The issuer's public key (PEM) to check it."}
    )
    issuer_jwks_url = String(required=True)


class ProjectOut(Schema):
    id = Integer(required=True)
    code = String(required=True)
    title = String(required=True)
    summary = String(required=True)
    status = Function(lambda p: p.status.value, required=True)
    start_date = Date(required=True)
    end_date = Date(required=True)
    currency = String(required=True)


class MilestoneOut(Schema):
    id = Integer(required=True)
    project_id = Integer(required=True)
    title = String(required=True)
    owner = String(allow_none=True)
    baseline_date = Date(allow_none=True)
    due_date = Date(required=True)
    status = Method("_status", required=True, metadata={"description": "late when past due"})
    completed_on = Date(allow_none=True)

    def _status(self, milestone):
        from lms.core import clock

        return milestone.status_on(clock.today()).value


class PeriodValueOut(Schema):
    period = String(required=True)
    period_end = Date(required=True)
    value = decimal(required=True)


class IndicatorOut(Schema):
    id = Integer(required=True)
    project_id = Integer(required=True)
    name = String(required=True)
    unit = String(allow_none=True)
    baseline_value = decimal(allow_none=True)
    baseline_date = Date(allow_none=True)
    targets = List(Nested(PeriodValueOut), required=True)
    actuals = Function(
        lambda i: PeriodValueOut(many=True).dump([a for a in i.actuals if not a.superseded]),
        required=True,
        metadata={"description": "Reported figures still standing (corrections left out)."},
    )


class CertificateQuery(Schema):
    page = Integer(load_default=1, validate=Range(min=1, max=MAX_PAGE))
    per_page = Integer(load_default=25, validate=Range(min=1, max=100))
    user_id = Integer(validate=ID)
    track_id = Integer(validate=ID)


class BadgeQuery(Schema):
    page = Integer(load_default=1, validate=Range(min=1, max=MAX_PAGE))
    per_page = Integer(load_default=25, validate=Range(min=1, max=100))
    user_id = Integer(validate=ID)
    track_id = Integer(validate=ID)


class UserQuery(Schema):
    page = Integer(load_default=1, validate=Range(min=1, max=MAX_PAGE))
    per_page = Integer(load_default=25, validate=Range(min=1, max=100))
    role = String(validate=OneOf(["admin", "directorate", "project_manager", "trainer", "trainee"]))
    member_administration_id = Integer(validate=ID)
    q = String(validate=Length(max=100))


class CourseQuery(Schema):
    page = Integer(load_default=1, validate=Range(min=1, max=MAX_PAGE))
    per_page = Integer(load_default=25, validate=Range(min=1, max=100))
    status = String(validate=OneOf(["draft", "published", "retired"]))
    delivery_mode = String(validate=OneOf(DELIVERY_MODES))


class SessionQuery(Schema):
    page = Integer(load_default=1, validate=Range(min=1, max=MAX_PAGE))
    per_page = Integer(load_default=25, validate=Range(min=1, max=100))
    course_id = Integer(validate=ID)
    status = String(validate=OneOf(["planned", "open", "running", "closed", "cancelled"]))


class FiguresOut(Schema):
    enrolled = Integer(required=True, metadata={"description": "Trainees who joined a track"})
    completed = Integer(required=True, metadata={"description": "Trainees who completed one"})
    certified = Integer(required=True, metadata={"description": "Trainees certified"})


class NamedFiguresOut(FiguresOut):
    name = String(required=True)


class LevelCountOut(Schema):
    level = String(required=True)
    trainees = Integer(required=True)


class StatisticsQuery(Schema):
    start = Date(metadata={"description": "Default: 1 January of this year"})
    end = Date(metadata={"description": "Default: today"})


class StatisticsOut(Schema):
    start = Date(required=True)
    end = Date(required=True)
    total = Nested(FiguresOut, required=True)
    by_region = List(Nested(NamedFiguresOut), required=True)
    by_track = List(Nested(NamedFiguresOut), required=True)
    level_distribution = List(Nested(LevelCountOut), required=True)
