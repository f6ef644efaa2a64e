"""The project's form base: Flask-WTF's ``FlaskForm`` holding every field to the input bounds
(``lms.core.bounds``), so no feature's form lets a hostile value through to a service.

Features import ``FlaskForm`` from here instead of ``flask_wtf``. On top of each field's own
validators, ``validate()`` refuses, with a message on the field:

- text with a NUL character, and text longer than ``DEFAULT_MAX_TEXT`` where the field
  declares no ``Length`` (a column's own length is declared on the field, and checked by
  ``tests/core/test_form_bounds.py``);
- numbers that are not finite (``NaN``, ``inf``) or of ``MAX_AMOUNT`` or more;
- whole numbers outside the database's integer range;
- dates before 1900 or after 2100.

Fields inside ``FormField`` and ``FieldList`` are checked the same way.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm as _FlaskForm
from wtforms import fields as f
from wtforms.validators import Length

from lms.core.bounds import NUL, date_in_range, date_range_message, int_in_range
from lms.core.i18n import _

# Amounts are stored as NUMERIC(14, 2): twelve digits before the point.
MAX_AMOUNT = Decimal(10) ** 12
DEFAULT_MAX_TEXT = {f.TextAreaField: 20_000, f.StringField: 255}

__all__ = ["DEFAULT_MAX_TEXT", "MAX_AMOUNT", "FlaskForm", "field_problem"]


def _max_text(field: f.Field) -> int | None:
    if any(isinstance(v, Length) for v in field.validators):
        return None
    for cls, limit in DEFAULT_MAX_TEXT.items():
        if isinstance(field, cls):
            return limit
    return None


def field_problem(field: f.Field) -> str | None:
    """Why ``field``'s value is out of bounds, or ``None``."""
    data = field.data
    if isinstance(field, f.StringField) and isinstance(data, str):
        if NUL in data:
            return _("Remove the null character from this text.")
        limit = _max_text(field)
        if limit is not None and len(data) > limit:
            return _("Enter at most %(max)s characters.", max=limit)
        return None
    if isinstance(data, bool) or data is None:
        return None
    if isinstance(data, float | Decimal):
        if not math.isfinite(data):
            return _("Enter a number.")
        if abs(Decimal(data)) >= MAX_AMOUNT:
            return _("Enter a smaller number.")
        return None
    if isinstance(data, int) and not isinstance(field, f.SelectFieldBase):
        if not int_in_range(data):
            return _("Enter a smaller number.")
        return None
    if isinstance(data, date) and not date_in_range(data):
        return date_range_message()
    return None


def _check(fields: Any) -> bool:
    ok = True
    for field in fields:
        if isinstance(field, f.FormField):
            ok = _check(field.form) and ok
            continue
        if isinstance(field, f.FieldList):
            ok = _check(field.entries) and ok
            continue
        problem = field_problem(field)
        if problem:
            field.errors = [*field.errors, problem]
            ok = False
    return ok


class FlaskForm(_FlaskForm):
    class Meta:
        def render_field(self, field: f.Field, render_kw: dict[str, Any]) -> Any:
            """Hidden fields (the CSRF token, a report's kind) are rendered without an id:
            nothing labels them, and two forms on one page would repeat the same id. A field
            with errors says so (``aria-invalid``) and names them as its description."""
            if isinstance(field, f.HiddenField):
                render_kw = {"id": False, **render_kw}
            elif field.errors:
                # Tied to its errors (``templates/bootstrap5/form.html`` gives each an id).
                errors = " ".join(f"{field.id}-error{n}" for n in range(1, len(field.errors) + 1))
                render_kw = {"aria-invalid": "true", "aria-describedby": errors, **render_kw}
            return super().render_field(field, render_kw)

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        return _check(self) and ok
