"""Every text field of every form is held to the length of the column it is stored in:
a form field named like a column of its feature's tables declares ``Length(max=...)`` no longer
than that column, so over-long text gets a message on the field instead of a database error
(PostgreSQL) or a silently over-long row (SQLite)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
import sqlalchemy as sa
from wtforms import Form, StringField
from wtforms.validators import Length

import lms
from lms.core.extensions import db
from lms.core.forms import FlaskForm
from lms.features import wire


def _form_classes() -> list[type[Form]]:
    wire()
    for module in pkgutil.walk_packages(lms.__path__, "lms."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    found, todo = [], list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _column_lengths(form_class: type[Form]) -> dict[str, int]:
    """Column name → length, from the model the form edits (``ProjectForm`` → ``Project``,
    ``PartnerForm`` → ``ProjectPartner``); for a form of no one model, the longest string
    column of that name in the feature (a field longer than all of them is surely wrong)."""
    feature = form_class.__module__.split(".")[1]
    subject = form_class.__name__.removesuffix("Form")
    mappers = [
        m for m in db.Model.registry.mappers if m.class_.__module__.startswith(f"lms.{feature}.")
    ]
    matches = [m for m in mappers if m.class_.__name__ == subject] or [
        m for m in mappers if m.class_.__name__.endswith(subject)
    ]
    lengths: dict[str, int] = {}
    for mapper in matches[:1] or mappers:
        for column in mapper.columns:
            length = getattr(column.type, "length", None)
            if length and not isinstance(column.type, sa.Enum):  # enums check their values
                lengths[column.key] = max(length, lengths.get(column.key, length))
    return lengths


def _text_fields(form_class: type[Form]):
    for name in dir(form_class):
        unbound = getattr(form_class, name, None)
        field_class = getattr(unbound, "field_class", None)
        if isinstance(field_class, type) and issubclass(field_class, StringField):
            yield name, unbound


def test_the_walk_finds_the_forms():
    names = {c.__name__ for c in _form_classes()}
    assert {"UserForm", "MemberForm", "CourseForm", "FrameworkForm", "ProjectForm"} <= names


@pytest.mark.parametrize("form_class", _form_classes(), ids=lambda c: c.__qualname__)
def test_text_fields_are_no_longer_than_their_columns(form_class):
    lengths = _column_lengths(form_class)
    problems = []
    for name, unbound in _text_fields(form_class):
        column_length = lengths.get(name)
        if not column_length:
            continue
        validators = unbound.kwargs.get("validators") or (
            unbound.args[1] if len(unbound.args) > 1 else []
        )
        maxima = [v.max for v in validators if isinstance(v, Length) and v.max and v.max > 0]
        if not maxima or min(maxima) > column_length:
            problems.append(f"{name}: Length(max={maxima or None}) for a column of {column_length}")
    assert not problems, problems
