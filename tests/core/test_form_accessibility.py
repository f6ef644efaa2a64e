"""Forms as a screen reader meets them: a field with errors says it is invalid and names its
error messages (which exist, with those ids); hidden fields carry no id, so two forms on one
page never repeat one."""

from __future__ import annotations

import re

from flask import render_template_string

from lms.accounts.forms import LoginForm
from lms.reports.forms import GenerateForm

TEMPLATE = (
    "{% from 'bootstrap5/form.html' import render_field %}{{ render_field(field, **options) }}"
)


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', html))


def test_a_field_with_errors_names_them_as_its_description(app):
    with app.test_request_context(method="POST", data={"email": "someone@example.org"}):
        form = LoginForm()
        assert not form.validate()
        form.password.errors = [*form.password.errors, "A second problem"]
        for options in ({}, {"form_type": "horizontal"}):
            html = render_template_string(TEMPLATE, field=form.password, options=options)
            field = re.search(r"<input[^>]*name=\"password\"[^>]*>", html).group(0)
            assert 'aria-invalid="true"' in field
            described = re.search(r'aria-describedby="([^"]+)"', field).group(1).split()
            assert len(described) == 2 and set(described) <= _ids(html)
            for error_id, message in zip(described, form.password.errors, strict=True):
                assert re.search(rf'id="{error_id}">{re.escape(message)}<', html)


def test_a_valid_field_is_not_marked(app):
    with app.test_request_context(method="POST", data={"email": "someone@example.org"}):
        form = LoginForm()
        form.validate()
        html = render_template_string(TEMPLATE, field=form.email, options={})
        assert "aria-invalid" not in html and "aria-describedby" not in html


def test_hidden_fields_have_no_id(app):
    with app.test_request_context():
        html = str(GenerateForm().hidden_tag())
    assert html.count("<input") == 4 and "csrf_token" in html and "id=" not in html
