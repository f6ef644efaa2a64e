"""User text reaches ReportLab as the characters typed, never as paragraph markup: an
``<img>`` in an indicator's name neither reads a file (``/dev/zero`` until out of memory, or a
server file embedded in the PDF), an ``<a href>`` adds no link, a ``<script>`` breaks nothing.
One test per document: trainee, project, directorate, certificate (and the certificates ZIP),
plus the contents page, which lays each heading out as a paragraph of its own."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import pypdf
import pytest
import reportlab.lib.utils
import sqlalchemy as sa
from PIL import Image

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.progress.models import Certificate
from lms.projects import services as project_services
from lms.reports.models import ReportRun, RunStatus
from lms.reports.pdf import Cover, build_pdf, data_table, heading, markup, para
from tests.conftest import login, post_form
from tests.courses.fixtures import TODAY
from tests.reports.conftest import pdf_text

ZERO = 'Officers <img src="/dev/zero" width="5" height="5"/>'
ZERO_SHORT = '2026 <img src="/dev/zero"/>'  # a period names its year; fits 40 characters
LINK = '<a href="https://evil.example/">click</a>'
SCRIPT = "<script>alert(1)</script>"
AMP = "Tom &amp; Jerry & <b>bold</b> <font size=80>x</font>"


@pytest.fixture
def disk_image(tmp_path):
    """A real PNG on the server's disk and the markup that would embed it."""
    path = tmp_path / "secret.png"
    Image.new("RGB", (20, 20), "red").save(path)
    return path, f'<img src="{path}" width="20" height="20"/>'


@pytest.fixture(autouse=True)
def no_file_read_from_markup(monkeypatch, tmp_path):
    """Fail at once (instead of eating memory) if ReportLab opens an injected path."""
    real = reportlab.lib.utils.open_for_read

    def guarded(name, mode="b", *args, **kwargs):
        if isinstance(name, str) and (name.startswith("/dev/") or name.startswith(str(tmp_path))):
            raise AssertionError(f"ReportLab opened {name} from user text")
        return real(name, mode, *args, **kwargs)

    monkeypatch.setattr(reportlab.lib.utils, "open_for_read", guarded)


def _squash(value: str) -> str:
    return "".join(value.split())


def assert_inert(content: bytes, *strings: str) -> str:
    """Each string is in the text literally; no image XObject, no URI or launch action."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for value in strings:
        assert _squash(value) in _squash(text), value
    for page in reader.pages:
        assert not list(_images(page.get("/Resources"))), "an image reached the PDF"
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None:
                assert action.get_object().get("/S") not in ("/URI", "/Launch", "/JavaScript")
    root = reader.trailer["/Root"].get_object()
    assert "/OpenAction" not in root and "/JavaScript" not in (root.get("/Names") or {})
    return text


def _images(resources):
    if resources is None:
        return
    xobjects = resources.get_object().get("/XObject") or {}
    for ref in xobjects.values():
        xobject = ref.get_object()
        if xobject.get("/Subtype") == "/Image":
            yield xobject
        else:
            yield from _images(xobject.get("/Resources"))


def _generate(client, kind, **params):
    data = {"kind": kind, "format": "pdf", **{k: str(v) for k, v in params.items()}}
    response = post_form(client, "/reports/generate", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    run = db.session.scalars(sa.select(ReportRun).order_by(ReportRun.id.desc())).first()
    assert run.status == RunStatus.DONE, run.error if hasattr(run, "error") else run.status
    return client.get(f"/reports/runs/{run.id}/download").data


def test_contents_headings_and_cells_take_plain_text(disk_image):
    _path, image = disk_image
    hostile = [ZERO, image, LINK, SCRIPT, AMP]

    def body():
        items = []
        for value in hostile:
            items.append(heading(value))
            items.append(heading(value, 2))
            items.append(para(value))
            items.append(markup("<b>%(label)s</b>: %(value)s", label=value, value=value))
            items.append(data_table([value], [[value]]))
            items.extend(para(f"line {n}") for n in range(40))
        return items

    content = build_pdf(Cover(SCRIPT, subtitle=LINK, filters=[(ZERO, image)]), body, with_toc=True)
    text = assert_inert(content, *hostile)
    first = pypdf.PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert "Contents" in first and _squash(ZERO) in _squash(first)  # the contents entry
    assert _squash(text).count(_squash(LINK)) >= 7


def test_markup_from_code_still_styles():
    """The separate path for code-written markup keeps working (bold label) while its
    values stay text."""
    paragraph = markup("<b>%(label)s</b>: %(value)s", label="Issues", value=SCRIPT)
    assert "".join(f.text for f in paragraph.frags) == "Issues: " + SCRIPT
    assert paragraph.frags[0].fontName.endswith("Bold")
    assert not any(f.fontName.endswith("Bold") for f in paragraph.frags[1:])


def test_trainee_report_prints_hostile_names_literally(client, elodie, world, disk_image):
    _path, image = disk_image
    elodie.full_name = f"Élodie {LINK}"
    elodie.member_administration.name = f"Douanes {SCRIPT}"
    world.specialists.name = ZERO
    world.course_a.title = f"Data quality {image}"
    db.session.commit()
    login(client, elodie)
    content = _generate(client, "trainee", user_id=elodie.id)
    assert_inert(content, elodie.full_name, f"Douanes {SCRIPT}", ZERO, f"Data quality {image}")


def test_project_report_prints_hostile_indicator_and_update_literally(
    client, make_project, make_indicator, make_user, logged_in, fixed_today, disk_image
):
    _path, image = disk_image
    author = make_user(Role.PROJECT_MANAGER, full_name=f"Amélie {image}")
    project = make_project(manager=author, code="INJ-1")
    project.title = f"Project {LINK}"
    project_services.add_milestone(
        db.session, project, actor=None, title=SCRIPT, due_date=date(2025, 6, 30)
    )
    indicator = make_indicator(project, targets={"2025": 10})
    indicator.name = ZERO
    indicator.unit = "<script>x</script>"
    indicator.element.code = '<a href="x">G</a>'
    project_services.save_risk(
        db.session,
        project,
        None,
        actor=None,
        description=AMP,
        likelihood="high",
        impact="medium",
    )
    project_services.add_progress_update(
        db.session,
        project,
        actor=author,
        period=ZERO_SHORT,
        achievements=LINK,
        issues=image,
        next_steps=SCRIPT,
    )
    db.session.commit()
    logged_in(Role.DIRECTORATE)
    content = _generate(client, "project", project_id=project.id)
    assert_inert(
        content,
        f"Project {LINK}",
        SCRIPT,
        ZERO,
        "<script>x</script>",
        '<a href="x">G</a>',
        AMP,
        ZERO_SHORT,
        f"Amélie {image}",
        f"Issues: {image}",
    )


def test_directorate_report_prints_hostile_names_literally(
    client, elodie, world, make_project, logged_in, disk_image
):
    _path, image = disk_image
    elodie.member_administration.name = f"Douanes {LINK}"
    world.specialists.name = ZERO
    world.course_b.title = f"Statistics {SCRIPT}"
    project = make_project(code="INJ-2")
    project.title = f"Portfolio {image}"
    db.session.commit()
    logged_in(Role.DIRECTORATE)
    content = _generate(
        client,
        "directorate",
        start=(TODAY - timedelta(days=365)).isoformat(),
        end=(TODAY + timedelta(days=60)).isoformat(),
    )
    assert_inert(content, f"Douanes {LINK}", ZERO, f"Portfolio {image}")


def test_certificate_prints_hostile_holder_and_track_literally(
    client, app, elodie, world, make_user, disk_image
):
    _path, image = disk_image
    elodie.full_name = f"Élodie {image}"
    world.specialists.name = f"{ZERO} {LINK}"
    db.session.commit()
    certificate = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == elodie.id))
    login(client, elodie)
    response = client.get(f"/reports/certificates/{certificate.id}.pdf")
    assert response.status_code == 200
    assert_inert(response.data, f"Élodie {image}", f"{ZERO} {LINK}")

    admin = app.test_client()
    login(admin, make_user(Role.ADMIN))
    bundle = post_form(
        admin, "/reports/certificates/", {"track_id": str(world.specialists.id), "session_id": "0"}
    )
    archive = zipfile.ZipFile(io.BytesIO(bundle.data))
    for name in archive.namelist():
        assert_inert(archive.read(name), f"Élodie {image}", f"{ZERO} {LINK}")
    assert pdf_text(response.data)[1] == 1


def test_paragraphs_are_built_in_one_place():
    """Only lms/reports/pdf.py makes ReportLab paragraphs, through its plain-text builders;
    report code never writes markup of its own around user text."""
    from pathlib import Path

    import lms

    root = Path(lms.__file__).parent
    makers = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "Paragraph(" in path.read_text(encoding="utf-8")
    )
    assert makers == ["core/pdf_text.py", "reports/pdf.py"]
