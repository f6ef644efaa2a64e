"""What an uploaded file really is, read from its content: magic bytes for PDF, PNG and JPEG,
the ZIP structure for office documents. The name and the type the browser declares are never
asked: an HTML page renamed ``.pdf`` is HTML.

Office Open XML files (docx, xlsx, pptx) are ZIP archives with ``[Content_Types].xml`` naming
the main part; macro-enabled ones (docm, xlsm, pptm) name another content type and are not
accepted. OpenDocument text (odt) is a ZIP whose first entry, ``mimetype``, holds its type.
Nothing is decompressed but those two small entries, read with a size limit.
"""

from __future__ import annotations

import enum
import io
import zipfile


class FileKind(enum.StrEnum):
    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"
    DOCX = "docx"
    XLSX = "xlsx"
    PPTX = "pptx"
    ODT = "odt"


MIME_TYPES = {
    FileKind.PDF: "application/pdf",
    FileKind.PNG: "image/png",
    FileKind.JPEG: "image/jpeg",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileKind.PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    FileKind.ODT: "application/vnd.oasis.opendocument.text",
}
EXTENSIONS = {kind: ".jpg" if kind == FileKind.JPEG else f".{kind.value}" for kind in FileKind}

_OOXML_MAIN_PARTS = {
    FileKind.DOCX: (
        "word/document.xml",
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ),
    FileKind.XLSX: (
        "xl/workbook.xml",
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ),
    FileKind.PPTX: (
        "ppt/presentation.xml",
        b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    ),
}
_SMALL_ENTRY = 1 << 20  # [Content_Types].xml and mimetype are a few hundred bytes


def _read_small(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _SMALL_ENTRY:
        return None
    with archive.open(info) as entry:
        return entry.read(_SMALL_ENTRY + 1)[:_SMALL_ENTRY]


def _office_kind(content: bytes) -> FileKind | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = set(archive.namelist())
        if archive.infolist() and archive.infolist()[0].filename == "mimetype":
            mimetype = _read_small(archive, "mimetype") or b""
            if mimetype.strip() == MIME_TYPES[FileKind.ODT].encode() and "content.xml" in names:
                return FileKind.ODT
            return None
        content_types = _read_small(archive, "[Content_Types].xml")
        if content_types is None:
            return None
        for kind, (main_part, main_type) in _OOXML_MAIN_PARTS.items():
            if main_part in names and main_type in content_types:
                return kind
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        return None
    return None


def detect(content: bytes) -> FileKind | None:
    """The kind of file ``content`` is, or None when it is none of the accepted kinds."""
    if content.startswith(b"%PDF-"):
        return FileKind.PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n") and content[12:16] == b"IHDR":
        return FileKind.PNG
    if content.startswith(b"\xff\xd8\xff"):
        return FileKind.JPEG
    if content.startswith(b"PK\x03\x04"):
        return _office_kind(content)
    return None
