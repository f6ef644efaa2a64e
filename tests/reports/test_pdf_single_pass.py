"""A report is laid out once: "page X of Y", the contents' page numbers and the charts are
drawn when the document is saved, so they are right without a second layout pass; a chart is
drawn once per document; short table cells are plain strings, shown as typed."""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from reportlab.graphics import renderPDF

from lms.reports import pdf
from lms.reports.charts import BarChartData, bar_chart
from lms.reports.pdf import Cover, build_pdf, chart, data_table, heading, para


def _pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages]


@pytest.fixture
def counted(monkeypatch):
    """How often documents are laid out and charts drawn."""
    calls = {"builds": 0, "charts": 0}
    build, draw = pdf.ReportDocument.build, renderPDF.draw

    def counting_build(self, *args, **kwargs):
        calls["builds"] += 1
        return build(self, *args, **kwargs)

    def counting_draw(*args, **kwargs):
        calls["charts"] += 1
        return draw(*args, **kwargs)

    monkeypatch.setattr(pdf.ReportDocument, "build", counting_build)
    monkeypatch.setattr(renderPDF, "draw", counting_draw)
    return calls


def _long_body(sections: int, charts: int = 0):
    def make():
        data = BarChartData(["ESA", "WCA"], [("Enrolled", [7, 3])])
        items = []
        for n in range(sections):
            items.append(heading(f"Section {n} — Côte d'Ivoire"))
            if n < charts:
                items.append(chart(bar_chart(data), f"Chart {n}"))
            items.extend(para(f"Ligne {i} : données clés") for i in range(45))
        return items

    return make


def test_contents_page_numbers_are_the_pages_the_headings_are_on(counted):
    pages = _pages(build_pdf(Cover("Long"), _long_body(7), with_toc=True))
    assert counted["builds"] == 1  # one layout, contents and all
    total = len(pages)
    assert total > 4
    for number, page in enumerate(pages, start=1):
        assert f"page {number} of {total}" in page
    contents = pages[0]
    for n in range(7):
        title = f"Section {n} — Côte d'Ivoire"
        listed = re.search(re.escape(title) + r"[\s.]*(\d+)", contents)
        assert listed, f"{title} missing from the contents"
        page = int(listed.group(1))
        assert title in pages[page - 1] and all(title not in p for p in pages[1 : page - 1])


def test_deciding_on_contents_lays_a_short_report_out_once(counted):
    pages = _pages(build_pdf(Cover("Court"), _long_body(1)()))
    assert "Contents" not in pages[0] and counted["builds"] == 1
    assert f"page {len(pages)} of {len(pages)}" in pages[-1]


def test_each_chart_is_drawn_once_even_when_the_layout_starts_again(counted):
    pages = _pages(build_pdf(Cover("Long"), _long_body(6, charts=3)))
    assert "Contents" in pages[0]  # long enough: the first layout stopped, then with contents
    assert counted["builds"] == 2
    assert counted["charts"] == 3  # three charts, each drawn once (none in the stopped pass)
    assert sum(page.count("ESA") for page in pages) == 3


def test_the_same_chart_placed_twice_is_drawn_once(counted):
    drawing = bar_chart(BarChartData(["ESA"], [("Enrolled", [4])]))
    pages = _pages(build_pdf(Cover("Twice"), [chart(drawing, "First"), chart(drawing, "Again")]))
    assert counted["charts"] == 1
    assert pages[0].count("ESA") == 2


def test_short_cells_are_plain_strings_shown_as_typed():
    typed = ["<b>x</b>", "a&amp;b", "12 %", "<i>", "2025-03-14"]
    table = data_table(["A", "B", "C", "D", "E"], [typed, ["long text " * 4, "", "", "", ""]])
    cells = table._cellvalues[1]
    assert cells == typed  # strings, not paragraphs: nothing parses them as markup
    assert type(table._cellvalues[2][0]).__name__ == "Paragraph"  # long text still wraps
    page = _pages(build_pdf(Cover("Cells"), [table]))[0]
    for value in typed:
        assert value in page


def test_reportlab_measures_text_with_its_c_accelerator():
    """``rl-accel`` (a dependency) replaces ReportLab's pure-Python string widths and number
    formatting, which took a quarter of a long report's layout; without it ReportLab falls
    back silently."""
    from reportlab.lib import rl_accel

    assert type(rl_accel.fp_str).__name__ == "builtin_function_or_method"
    assert type(rl_accel.instanceStringWidthTTF).__name__ == "builtin_function_or_method"
