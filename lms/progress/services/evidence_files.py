"""Evidence files: uploaded with a rating or a prior-learning claim, checked by content, kept
in the evidence folder under a random name, and read back only through the record they
belong to (``permissions.can_view_evidence_file``).

The upload is read up to the size limit plus one byte, so an oversized file is refused
without reading the rest. Its kind comes from its content (``lms.core.filetypes``); the name
the uploader gave is kept for display and for the download's name stem, never as a path. The
file is written when the row is flushed; if the transaction is then rolled back, the file is
deleted again, so a refused rating or claim leaves nothing on disk.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import sqlalchemy as sa
from sqlalchemy.orm import Session, scoped_session
from werkzeug.utils import secure_filename

from lms.core.errors import ValidationError
from lms.core.filetypes import EXTENSIONS, MIME_TYPES, FileKind, detect
from lms.core.i18n import _
from lms.frameworks.models import Competency
from lms.progress.models import CompetencyRating, EvidenceFile, PriorLearningClaim

_STORED_NAME = re.compile(r"^[0-9a-f]{32}$")
_WRITTEN = "lms.progress.evidence_files_written"
ACCEPTED = "PDF, PNG, JPEG, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), OpenDocument (.odt)"


@dataclass(frozen=True)
class EvidenceStore:
    """Where evidence files live and how large one may be (``LMS_EVIDENCE_DIR``,
    ``LMS_EVIDENCE_MAX_MB``)."""

    directory: Path
    max_bytes: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> EvidenceStore:
        return cls(Path(config["LMS_EVIDENCE_DIR"]), int(config["LMS_EVIDENCE_MAX_BYTES"]))

    def path_for(self, stored_name: str) -> Path:
        """The file's place in the folder; anything but a stored random name is refused."""
        if not _STORED_NAME.match(stored_name or ""):
            raise ValueError(f"not a stored evidence file name: {stored_name!r}")
        folder = self.directory.resolve()
        path = (folder / stored_name).resolve()
        if path.parent != folder:
            raise ValueError(f"{stored_name!r} is outside the evidence folder")
        return path


def readable_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} MB"
    if size >= 1024:
        return f"{size / 1024:.3g} KB"
    return f"{size} B"


def _display_name(filename: str) -> str:
    base = re.split(r"[\\/]", filename or "")[-1]
    return "".join(ch for ch in base if ch.isprintable()).strip()[:255]


def download_name(evidence: EvidenceFile) -> str:
    """A safe name for the download: the given name's stem, with the extension of its kind."""
    stem = secure_filename(Path(evidence.original_name).stem) or "evidence"
    return f"{stem[:100]}{EXTENSIONS[evidence.kind]}"


def mime_type(evidence: EvidenceFile) -> str:
    return MIME_TYPES[evidence.kind]


def _check_content(content: bytes, store: EvidenceStore) -> FileKind:
    if not content:
        raise ValidationError(_("The evidence file is empty."), field="evidence_file")
    if len(content) > store.max_bytes:
        raise ValidationError(
            _(
                "The evidence file is too large: files may be at most %(limit)s.",
                limit=readable_size(store.max_bytes),
            ),
            field="evidence_file",
        )
    kind = detect(content)
    if kind is None:
        raise ValidationError(
            _(
                "This file is not an accepted kind of evidence (%(kinds)s); "
                "its kind is read from its content, not from its name.",
                kinds=ACCEPTED,
            ),
            field="evidence_file",
        )
    return kind


def _discard_written(session: Session) -> None:
    for path in session.info.pop(_WRITTEN, []):
        path.unlink(missing_ok=True)


def _keep_written(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


def _remember_written(session: Session, path: Path) -> None:
    """Delete the file again if the transaction that recorded it is rolled back."""
    target = session() if isinstance(session, scoped_session) else session
    target.info.setdefault(_WRITTEN, []).append(path)
    if not sa.event.contains(target, "after_rollback", _discard_written):
        sa.event.listen(target, "after_rollback", _discard_written)
        sa.event.listen(target, "after_commit", _keep_written)


def _write(store: EvidenceStore, stored_name: str, content: bytes) -> Path:
    store.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = store.path_for(stored_name)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    return path


def store_evidence_file(
    session: Session,
    *,
    store: EvidenceStore,
    trainee_id: int,
    competency: Competency,
    uploaded_by: Any,
    filename: str,
    stream: BinaryIO,
    rating: CompetencyRating | None = None,
    claim: PriorLearningClaim | None = None,
) -> EvidenceFile:
    """Check an upload and keep it as evidence for the trainee's competency (and the rating
    or claim it came with)."""
    content = stream.read(store.max_bytes + 1)
    kind = _check_content(content, store)
    evidence = EvidenceFile(
        user_id=trainee_id,
        competency_id=competency.id,
        rating_id=rating.id if rating is not None else None,
        claim_id=claim.id if claim is not None else None,
        uploaded_by_id=uploaded_by.id,
        kind=kind,
        stored_name=secrets.token_hex(16),
        original_name=_display_name(filename),
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    session.add(evidence)
    session.flush()
    _remember_written(session, _write(store, evidence.stored_name, content))
    return evidence


def attach_evidence_file(
    session: Session,
    record: CompetencyRating | PriorLearningClaim,
    *,
    store: EvidenceStore,
    uploaded_by: Any,
    filename: str,
    stream: BinaryIO | None,
) -> CompetencyRating | PriorLearningClaim:
    """The rating or claim just recorded, with the file that came with it (if any)."""
    if stream is None:
        return record
    session.flush()
    store_evidence_file(
        session,
        store=store,
        trainee_id=record.user_id,
        competency=session.get(Competency, record.competency_id),
        uploaded_by=uploaded_by,
        filename=filename,
        stream=stream,
        rating=record if isinstance(record, CompetencyRating) else None,
        claim=record if isinstance(record, PriorLearningClaim) else None,
    )
    return record


def evidence_path(store: EvidenceStore, evidence: EvidenceFile) -> Path | None:
    """Where the file is on disk, or None when it is missing."""
    path = store.path_for(evidence.stored_name)
    return path if path.is_file() else None


def evidence_files(session: Session, user_id: int, competency_id: int) -> list[EvidenceFile]:
    return list(
        session.scalars(
            sa.select(EvidenceFile)
            .where(EvidenceFile.user_id == user_id, EvidenceFile.competency_id == competency_id)
            .order_by(EvidenceFile.created_at.desc(), EvidenceFile.id.desc())
        )
    )
