"""The shared labelled-enum base and the translation helper that works outside a request."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.core.i18n import _
from lms.core.model_base import LabelledEnum
from lms.frameworks.models import FrameworkStatus, ImportFormat, RollupRule


class Colour(LabelledEnum):
    RED = "red"
    GREEN = "green"

    __labels__ = {"red": _l("Red")}


def test_labels_come_from_the_mapping_and_fall_back_to_the_value(app):
    with app.test_request_context():
        assert Colour.RED.label == "Red"
        assert Colour.GREEN.label == "green"
        assert [value for value, _label in Colour.choices()] == ["red", "green"]
        assert FrameworkStatus.PUBLISHED.label == "Published"
        assert RollupRule.ALL.label == "All children proficient"
        assert ImportFormat.CASE_JSON.label == "CASE JSON"
    assert list(Colour) == [Colour.RED, Colour.GREEN]  # __labels__ is not a member
    assert Colour("red") is Colour.RED


def test_choices_keep_the_labels_lazy():
    label = dict(RollupRule.choices())["points"]
    assert not isinstance(label, str)  # translated when rendered, in the reader's language
    assert str(label) == "Points"


def test_translation_outside_a_request_formats_the_english_text():
    assert _("Level numbers go from 1 to %(n)s.", n=3) == "Level numbers go from 1 to 3."
    assert _("100% plain") == "100% plain"


def test_translation_in_a_request_uses_the_catalogue(app):
    from flask_babel import gettext

    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert _("Changes saved.") == gettext("Changes saved.")
        assert _("Level numbers go from 1 to %(n)s.", n=3) == gettext(
            "Level numbers go from 1 to %(n)s.", n=3
        )
