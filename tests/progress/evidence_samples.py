"""Small real files of every accepted kind, and look-alikes that must be refused, built in
memory so the tests ship no binaries."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from openpyxl import Workbook
from reportlab.pdfgen import canvas

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{part}" ContentType="{content_type}"/></Types>'
)
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
WORD_MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
SLIDES_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"


def pdf() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "Certificate of completion: statistics for customs")
    page.save()
    return buffer.getvalue()


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\xff\xd9"


def _zip(entries: list[tuple[str, str | bytes]], *, stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(entries):
            method = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=method)
    return buffer.getvalue()


def ooxml(part: str, content_type: str) -> bytes:
    return _zip(
        [
            ("[Content_Types].xml", CONTENT_TYPES.format(part=part, content_type=content_type)),
            ("_rels/.rels", "<Relationships/>"),
            (part, "<document/>"),
        ]
    )


def docx() -> bytes:
    return ooxml("word/document.xml", WORD_MAIN)


def docm() -> bytes:
    return ooxml("word/document.xml", WORD_MACRO_MAIN)


def pptx() -> bytes:
    return ooxml("ppt/presentation.xml", SLIDES_MAIN)


def xlsx() -> bytes:
    workbook = Workbook()
    workbook.active["A1"] = "Seizures per port"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def odt(mimetype: str = "application/vnd.oasis.opendocument.text") -> bytes:
    return _zip(
        [("mimetype", mimetype), ("content.xml", "<office:document-content/>")],
        stored_first=True,
    )


def html_page() -> bytes:
    return b"<!DOCTYPE html><html><body><script>fetch('/admin')</script></body></html>"


def plain_zip() -> bytes:
    return _zip([("notes.txt", "not an office document")])
