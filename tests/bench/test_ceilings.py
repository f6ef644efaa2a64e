"""The two ceilings: the bare page is exactly the asked size; the bare PDF's pages are
counted as a PDF reader counts them."""

import io

import pypdf
import pytest

from bench import bare_app, bare_pdf
from lms.reports.data import TableData


@pytest.mark.parametrize("size", [0, 50, 1000, 20_480, 123_457])
def test_bare_page_has_the_asked_size(size):
    body = bare_app.page(size)
    assert len(body) == max(size, len(bare_app._HEAD) + len(bare_app._TAIL))
    assert body.startswith(b"<!doctype html>") and body.endswith(b"</body></html>")


def test_bare_route_serves_the_page():
    response = bare_app.app.test_client().get("/bare/4096")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert len(response.data) == 4096


def test_bare_pdf_holds_every_table_and_counts_its_pages():
    rows = [[f"Trainee {i}", "Region <A> & B", i, None] for i in range(400)]
    tables = [
        TableData("a", "Transcript", ["Name", "Region", "Score", "Note"], rows),
        TableData("b", "Empty table", ["Nothing"], []),
    ]
    pdf = bare_pdf.render(tables)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert bare_pdf.page_count(pdf) == len(reader.pages) > 1
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Trainee 399" in text and "Region <A> & B" in text and "Empty table" in text
    timed = bare_pdf.timed_render(tables)
    assert timed.pages == len(reader.pages) and timed.size > 0
