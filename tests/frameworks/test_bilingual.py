"""Bilingual frameworks: French text entered beside the English, shown in the reader's language
with a fallback to the other one, carried language-tagged by the CASE export (valid against the
CASE 1.0 schema and read back by the import), and written one language at a time in the Moodle
CSV, whose import accepts French columns."""

from __future__ import annotations

import csv
import io
import json

import jsonschema
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.core.i18n import in_language, localised
from lms.frameworks import imports as import_services
from lms.frameworks import services
from lms.frameworks.exporters import export_case_package, export_moodle_csv
from lms.frameworks.importers import MOODLE_HEADERS, parse_case_json, parse_moodle_csv
from lms.frameworks.models import Competency, Framework
from tests.conftest import login, post_form
from tests.frameworks.conftest import competency
from tests.shared import CASE_SCHEMA, require_shared


def _frenchify(fw: Framework) -> None:
    """French text on the framework, one competency and one of its indicators."""
    fw.name_fr = "Analyse des données douanières"
    fw.description_fr = "Les compétences du travail sur les données en douane."
    gov1 = competency(fw, "GOV.1")
    gov1.short_name_fr = "Propriété des données"
    gov1.description_fr = "Sait qui détient quelles données, et pourquoi."
    awareness = fw.scale.levels[0]
    indicator = next(i for i in gov1.indicators if i.level_id == awareness.id)
    indicator.text_fr = "Nomme les propriétaires des données de déclaration."
    db.session.commit()


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_pages_show_the_readers_language_with_a_fallback(app, client, make_user, make_framework):
    fw = make_framework(publish=True)
    _frenchify(fw)
    french = make_user(Role.TRAINEE, email="awa@example.org", preferred_language="fr")
    english = make_user(Role.TRAINEE, email="ann@example.org", preferred_language="en")
    login(client, french)
    page = client.get(f"/frameworks/{fw.id}").get_data(as_text=True)
    assert "Analyse des données douanières" in page
    assert "Propriété des données" in page
    assert "Customs data analytics" not in page
    # GOV.2 has no French name: its English name shows instead.
    assert "Data sharing agreements" in page
    gov1 = competency(fw, "GOV.1")
    detail = client.get(f"/competencies/{gov1.id}").get_data(as_text=True)
    assert "Nomme les propriétaires des données de déclaration." in detail
    # Expert has no French indicator: the English one.
    assert "Designs the ownership model, for others too." in detail
    client = app.test_client()  # another browser
    login(client, english)
    page = client.get(f"/frameworks/{fw.id}").get_data(as_text=True)
    assert "Customs data analytics" in page and "Data ownership" in page
    assert "Analyse des données douanières" not in page


def test_english_readers_see_the_french_text_when_there_is_no_english(app, make_framework):
    fw = make_framework()
    gov2 = competency(fw, "GOV.2")
    gov2.description, gov2.description_fr = "", "Rédige une convention de partage."
    db.session.commit()
    with in_language("en"):
        assert localised(gov2, "description") == "Rédige une convention de partage."
        assert localised(gov2, "short_name") == "Data sharing agreements"


def test_editors_enter_the_french_text_on_the_forms(client, logged_in, make_framework):
    logged_in(Role.DIRECTORATE)
    fw = make_framework()
    gov2 = competency(fw, "GOV.2")
    practitioner = fw.scale.levels[1]
    response = post_form(
        client,
        f"/competencies/{gov2.id}/edit",
        {
            "code": "GOV.2",
            "short_name": "Data sharing agreements",
            "short_name_fr": "Conventions de partage de données",
            "description": "",
            "description_fr": "Rédige une convention avec le service juridique.",
            "parent_id": str(gov2.parent_id),
            "related": "",
            "rule": "none",
            "rule_points": "0",
            f"level_{practitioner.id}": "Drafts an agreement, with the legal team.",
            f"level_{practitioner.id}_fr": "Rédige une convention, avec le service juridique.",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    gov2 = db.session.get(Competency, gov2.id)
    assert gov2.short_name_fr == "Conventions de partage de données"
    assert gov2.description_fr == "Rédige une convention avec le service juridique."
    with in_language("fr"):
        assert (
            gov2.indicator_for(practitioner) == "Rédige une convention, avec le service juridique."
        )
    with in_language("en"):
        assert gov2.indicator_for(practitioner) == "Drafts an agreement, with the legal team."


def test_case_export_carries_both_languages_and_validates(make_framework, editor):
    fw = make_framework()
    _frenchify(fw)
    package = export_case_package(db.session, fw)
    schema = json.loads(require_shared(CASE_SCHEMA).read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(json.dumps(package)), schema)

    document = package["CFDocument"]
    assert (document["language"], document["title"]) == ("en", "Customs data analytics")
    assert document["extensions"]["translations"] == {
        "fr": {
            "title": "Analyse des données douanières",
            "description": "Les compétences du travail sur les données en douane.",
        }
    }
    gov1 = competency(fw, "GOV.1")
    item = next(i for i in package["CFItems"] if i["identifier"] == gov1.uuid)
    assert item["fullStatement"] == "Data ownership"
    assert item["extensions"]["translations"]["fr"]["fullStatement"] == "Propriété des données"
    untranslated = next(i for i in package["CFItems"] if i["humanCodingScheme"] == "GOV.2")
    assert "translations" not in untranslated.get("extensions", {})
    rubric_fr = document["extensions"]["rubricTranslations"]["fr"]
    awareness = fw.scale.levels[0]
    assert rubric_fr[awareness.uuid]["quality"] == "Sensibilisation"

    # The import reads both languages back.
    db.session.delete(fw)
    db.session.commit()
    result = parse_case_json(json.dumps(package))
    assert result.plan is not None, result.problems
    again = import_services.apply_plan(db.session, result.plan, actor=editor)
    db.session.commit()
    assert again.name_fr == "Analyse des données douanières"
    copy = competency(again, "GOV.1")
    assert copy.short_name_fr == "Propriété des données"
    with in_language("fr"):
        assert copy.indicator_for(again.scale.levels[0]) == (
            "Nomme les propriétaires des données de déclaration."
        )


def test_moodle_csv_is_written_in_one_language(client, logged_in, make_framework):
    fw = make_framework(publish=True)
    _frenchify(fw)
    english = _csv_rows(export_moodle_csv(db.session, fw, "en"))
    french = _csv_rows(export_moodle_csv(db.session, fw, "fr"))
    assert english[0]["Short name"] == "Customs data analytics"
    assert french[0]["Short name"] == "Analyse des données douanières"
    assert french[0]["Scale values"].split(",")[0] == "Sensibilisation"
    assert english[0]["Scale values"].split(",")[0] == "Awareness"
    by_code = {row["ID number"]: row for row in french}
    assert by_code["GOV.1"]["Short name"] == "Propriété des données"
    assert "Nomme les propriétaires" in by_code["GOV.1"]["Description"]
    assert by_code["GOV.2"]["Short name"] == "Data sharing agreements"  # no French: English
    assert list(english[0]) == list(MOODLE_HEADERS) == list(french[0])

    logged_in(Role.TRAINEE)
    response = client.get(f"/frameworks/{fw.id}/export.csv?lang=fr")
    assert response.status_code == 200
    assert _csv_rows(response.get_data(as_text=True))[0]["Short name"] == (
        "Analyse des données douanières"
    )
    response = client.get(f"/frameworks/{fw.id}/export.csv?lang=en")
    assert _csv_rows(response.get_data(as_text=True))[0]["Short name"] == "Customs data analytics"


def test_moodle_import_accepts_french_columns(app, editor):
    scale = services.default_scale(db.session, actor=editor)
    config = '[{"scaleid":1},{"id":2,"scaledefault":1,"proficient":1}]'
    values = ",".join(lv.name for lv in scale.levels)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "Parent ID number",
            "ID number",
            "Short name",
            "Short name FR",
            "Description",
            "Description FR",
            "Scale values",
            "Scale configuration",
            "Is framework",
        ]
    )
    writer.writerow(
        ["", "CUS", "Customs basics", "Bases de la douane", "", "", values, config, "1"]
    )
    writer.writerow(
        ["", "C1", "Tariff", "Tarif", "Classifies goods.", "Classe les marchandises.", "", "", "0"]
    )
    result = parse_moodle_csv(buffer.getvalue())
    assert result.plan is not None, result.problems
    fw = import_services.apply_plan(db.session, result.plan, actor=editor)
    db.session.commit()
    assert (fw.name, fw.name_fr) == ("Customs basics", "Bases de la douane")
    c1 = db.session.scalar(sa.select(Competency).where(Competency.code == "C1"))
    assert (c1.short_name, c1.short_name_fr) == ("Tariff", "Tarif")
    assert (c1.description, c1.description_fr) == ("Classifies goods.", "Classe les marchandises.")
