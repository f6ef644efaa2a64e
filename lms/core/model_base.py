"""Declarative base, constraint naming convention and column types shared by all models.

Timestamps are stored timezone-aware in UTC on PostgreSQL; SQLite has no time zones, so
``UTCDateTime`` normalises on the way in and re-attaches UTC on the way out, and code never
meets a naive datetime.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Set only by ``lms.core.clock.travel`` (the demo's history is recorded as of past days).
_travelled_to: ContextVar[datetime | None] = ContextVar("travelled_to", default=None)


def utcnow() -> datetime:
    return _travelled_to.get() or datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every backend."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; attach a time zone")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class LabelledEnum(enum.StrEnum):
    """A stored enum whose members carry a translatable label for pages and forms.

    A subclass lists its labels in ``__labels__`` (keyed by value: the members do not exist yet
    in the class body), lazily translated; a member without one shows its value.
    """

    __labels__: Mapping[str, Any] = {}

    @property
    def label(self) -> str:
        return str(type(self).__labels__.get(self.value, self.value))

    @classmethod
    def label_members(cls, labels: Mapping[Any, Any] | Iterable[tuple[Any, Any]]) -> None:
        """Give each enum its labels from one table of (member, label) (a feature that labels
        several enums in one place); each class keeps only its own members' labels. Give
        pairs, not a dict, when two enums share a value: string members that are equal
        collide as dict keys (``ProjectStatus.COMPLETED == TrainingMeasure.COMPLETED``)."""
        pairs = list(labels.items() if isinstance(labels, Mapping) else labels)
        for enum_cls in {type(member) for member, _label in pairs}:
            enum_cls.__labels__ = {
                member.value: label for member, label in pairs if type(member) is enum_cls
            }

    @classmethod
    def choices(cls) -> list[tuple[str, Any]]:
        """``(value, label)`` pairs for a select field, labels still lazy (translated when
        the form is rendered, in the reader's language)."""
        return [(m.value, cls.__labels__.get(m.value, m.value)) for m in cls]


def enum_column(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """Store an enum as its values in a VARCHAR with a CHECK constraint (portable, migratable)."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


def render_migration_item(type_: str, obj, autogen_context):
    """Write our column types into migrations as plain SQLAlchemy types, so migration files
    never import application code that may change later."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
