"""Text on its way into ReportLab, for every feature that prints (the reports package, the
courses' sign-in sheet): one font family that ships with ReportLab and one escape, since a
ReportLab paragraph parses its text as markup (``<img src>``, ``<a href>``, ``<font>``)."""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape  # nosec B406  # only its escape: nothing is parsed

import reportlab
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph

FONT, FONT_BOLD, FONT_ITALIC = "LmsSans", "LmsSans-Bold", "LmsSans-Italic"
_FONTS_DIR = Path(reportlab.__file__).resolve().parent / "fonts"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def register_fonts() -> None:
    """Bitstream Vera ships inside ReportLab, so PDFs never depend on the system's fonts, and
    its TrueType glyphs cover é, è, ç, ô… (the base-14 fonts only cover Latin-1 badly)."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(FONT, str(_FONTS_DIR / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(_FONTS_DIR / "VeraBd.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_ITALIC, str(_FONTS_DIR / "VeraIt.ttf")))
    pdfmetrics.registerFont(TTFont("LmsSans-BoldItalic", str(_FONTS_DIR / "VeraBI.ttf")))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic="LmsSans-BoldItalic"
    )


def plain(value: object) -> str:
    """The text with control characters dropped (what a contents entry carries)."""
    return _CONTROL.sub("", "" if value is None else str(value))


def text(value: object) -> str:
    """Plain text made safe for ReportLab's paragraph markup: ``<``, ``>`` and ``&`` escaped
    (so ``<img>``, ``<a href>``, ``<font>``… arrive as the characters typed, never as
    markup) and control characters dropped. Every string that reaches a Paragraph, a
    heading, a table cell or a contents entry passes through here."""
    return escape(plain(value))


def paragraph(value: object, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped)."""
    return Paragraph(text(value), style)
