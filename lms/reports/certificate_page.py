"""The certificate: one designed landscape page, drawn straight on a canvas (no running
header, no "page 1 of 1"). Plain data in, bytes out; every user string goes through the
plain-text builders of ``pdf``."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import Flowable

from lms.core.i18n import format_day
from lms.reports.pdf import FONT, FONT_BOLD, data_table, para, plain, register_fonts, styles

NAVY = colors.HexColor("#0d3b66")
GOLD = colors.HexColor("#c9a227")
SHOWN = 8  # competencies listed on the page; the rest are counted


@dataclass(frozen=True)
class CertificateData:
    holder: str
    track: str
    code: str
    issued_on: date
    expires_on: date | None
    verify_url: str
    organisation: str = ""
    competencies: list[tuple[str, str]] = field(default_factory=list)  # (competency, level)
    logo: bytes | None = None  # PNG or JPEG, checked when uploaded
    signatory_name: str = ""
    signatory_title: str = ""
    signature: bytes | None = None


def _styles() -> dict[str, ParagraphStyle]:
    s = styles()
    center = ParagraphStyle("CertCenter", parent=s["body"], alignment=TA_CENTER)
    return {
        "org": ParagraphStyle(
            "CertOrg", parent=center, fontName=FONT_BOLD, fontSize=13, leading=16, textColor=NAVY
        ),
        "heading": ParagraphStyle(
            "CertHeading",
            parent=center,
            fontName=FONT_BOLD,
            fontSize=30,
            leading=36,
            textColor=NAVY,
        ),
        "lead": ParagraphStyle("CertLead", parent=center, fontSize=12, leading=16),
        "holder": ParagraphStyle(
            "CertHolder", parent=center, fontName=FONT_BOLD, fontSize=26, leading=32
        ),
        "track": ParagraphStyle(
            "CertTrack",
            parent=center,
            fontName=FONT_BOLD,
            fontSize=17,
            leading=22,
            textColor=NAVY,
        ),
        "small": ParagraphStyle("CertSmall", parent=s["body"], fontSize=8, leading=10),
        "signatory": ParagraphStyle(
            "CertSignatory", parent=center, fontName=FONT_BOLD, fontSize=10, leading=12
        ),
        "sigtitle": ParagraphStyle("CertSigTitle", parent=center, fontSize=8.5, leading=10.5),
    }


def _place(canv, flowable: Flowable, x: float, top: float, width: float) -> float:
    """Draw ``flowable`` with its top at ``top``; returns the y of its bottom."""
    _w, height = flowable.wrapOn(canv, width, 1000)
    flowable.drawOn(canv, x, top - height)
    return top - height


def qr_drawing(url: str, size: float) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def _image(canv, content: bytes | None, x: float, y: float, width: float, height: float) -> bool:
    """Draw ``content`` fitted into the box (aspect kept, centred); False when there is none
    or ReportLab cannot read it."""
    if not content:
        return False
    try:
        reader = ImageReader(io.BytesIO(content))
        canv.drawImage(
            reader, x, y, width, height, preserveAspectRatio=True, anchor="c", mask="auto"
        )
    except Exception:  # a damaged image leaves the page without it, not without a certificate
        return False
    return True


def _signature_block(canv, data: CertificateData, st, centre: float) -> None:
    """Bottom centre: the signature image above a line, the signatory's name and title below
    it (or a neutral caption when no signatory is set)."""
    block = 80 * mm
    x, line_y = centre - block / 2, 30 * mm
    _image(canv, data.signature, x + 10 * mm, line_y + 1 * mm, block - 20 * mm, 14 * mm)
    canv.setStrokeColor(NAVY)
    canv.setLineWidth(0.6)
    canv.line(x + 5 * mm, line_y, x + block - 5 * mm, line_y)
    name = data.signatory_name or _("Authorised signatory")
    y = _place(canv, para(name, st["signatory"]), x, line_y - 1.5 * mm, block)
    if data.signatory_title:
        _place(canv, para(data.signatory_title, st["sigtitle"]), x, y, block)


def certificate_pdf(data: CertificateData) -> bytes:
    register_fonts()
    st = _styles()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    canv = pdfcanvas.Canvas(buffer, pagesize=(width, height))
    canv.setTitle(_("Certificate"))
    organisation = data.organisation or "Capacity LMS"
    canv.setAuthor(plain(organisation))

    # Frame: a navy border with a thin gold line inside.
    canv.setStrokeColor(NAVY)
    canv.setLineWidth(4)
    canv.rect(10 * mm, 10 * mm, width - 20 * mm, height - 20 * mm)
    canv.setStrokeColor(GOLD)
    canv.setLineWidth(1)
    canv.rect(14 * mm, 14 * mm, width - 28 * mm, height - 28 * mm)

    left, inner = 30 * mm, width - 60 * mm
    # Top: the logo in the left corner, the organisation's name centred.
    _image(canv, data.logo, 22 * mm, height - 42 * mm, 34 * mm, 22 * mm)
    y = height - 22 * mm
    y = _place(canv, para(organisation, st["org"]), left + 40 * mm, y, inner - 80 * mm) - 3 * mm
    y = _place(canv, para(_("Certificate of achievement"), st["heading"]), left, y, inner)
    y -= 5 * mm
    y = _place(canv, para(_("This certifies that"), st["lead"]), left, y, inner) - 3 * mm
    y = _place(canv, para(data.holder, st["holder"]), left, y, inner) - 3 * mm
    y = _place(canv, para(_("has completed the track"), st["lead"]), left, y, inner) - 2 * mm
    y = _place(canv, para(data.track, st["track"]), left, y, inner) - 3 * mm
    dates = _("Issued on %(date)s", date=format_day(data.issued_on))
    if data.expires_on:
        dates += " · " + _("valid until %(date)s", date=format_day(data.expires_on))
    y = _place(canv, para(dates, st["lead"]), left, y, inner) - 4 * mm

    if data.competencies:
        rows = [list(row) for row in data.competencies[:SHOWN]]
        if len(data.competencies) > SHOWN:
            more = len(data.competencies) - SHOWN
            rows.append([_("… and %(count)s more, in the holder's record", count=more), ""])
        table = data_table(
            [_("Competency"), _("Level reached")], rows, col_widths=[110 * mm, 45 * mm]
        )
        table.hAlign = "CENTER"
        table_width = 155 * mm
        _place(canv, table, (width - table_width) / 2, y, table_width)

    # Bottom band: verification on the left, QR code on the right.
    qr_size = 32 * mm
    qr_x, qr_y = width - 24 * mm - qr_size, 20 * mm
    renderPDF.draw(qr_drawing(data.verify_url, qr_size), canv, qr_x, qr_y)
    canv.setFont(FONT, 9)
    canv.setFillColor(colors.black)
    canv.drawString(24 * mm, 32 * mm, _("Verification code: %(code)s", code=data.code))
    canv.setFont(FONT, 8)
    canv.drawString(24 * mm, 26 * mm, _("Check this certificate at %(url)s", url=data.verify_url))
    _signature_block(canv, data, st, qr_x - 48 * mm)
    canv.showPage()
    canv.save()
    return buffer.getvalue()
