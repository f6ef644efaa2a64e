"""CSV, XLSX, JSON and ZIP outputs of the reports' plain data."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import selectinload

from lms.core.i18n import _
from lms.core.spreadsheet import neutralise_formula
from lms.progress import services as progress
from lms.reports.data import TableData
from lms.reports.models import ReportSchedule
from lms.reports.parameters import run_parameters


def table_csv(table: TableData) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([neutralise_formula(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 correctly


def tables_csv_zip(tables: Sequence[TableData], prefix: str) -> bytes:
    """One UTF-8 CSV per table, in one ZIP."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            archive.writestr(f"{prefix}-{table.key}.csv", table_csv(table))
    return buffer.getvalue()


def _sheet_title(title: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet"
    candidate, n = name, 2
    while candidate in used:
        candidate = f"{name[:28]} {n}"
        n += 1
    used.add(candidate)
    return candidate


def tables_xlsx(tables: Sequence[TableData]) -> bytes:
    """One sheet per table, bold header row, numbers kept as numbers."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, used))
        sheet.append(list(table.headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([neutralise_formula(v) for v in row])
        for index, header in enumerate(table.headers, start=1):
            width = max([len(str(header)), *(len(str(r[index - 1])) for r in table.rows)])
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(width + 2, 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def record_zip(pdf: bytes, record: dict[str, Any], stem: str) -> bytes:
    """A trainee's complete record: the progress report PDF and a JSON of everything."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}.pdf", pdf)
        archive.writestr(
            f"{stem}.json", json.dumps(record, ensure_ascii=False, indent=2, default=str)
        )
    return buffer.getvalue()


def files_zip(files: Iterable[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(name, content)
    return buffer.getvalue()


def slug(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", value).strip("-").lower() or "report"


# The reports' list pages as CSV rows (``lms.core.csv_export``) ------------------------------


def runs_table(session, stmt) -> tuple[list[str], list[list]]:
    """The runs the reader may see (the page's ``visible_runs_query``), whole."""

    header = [_("Requested"), _("Report"), _("About"), _("Format"), _("By"), _("Status")]
    header.append(_("Duration (ms)"))
    rows = []
    for run in session.scalars(stmt).unique():
        about = "; ".join(
            f"{p.label}: {p.value}" for p in run_parameters(session, run.kind, run.parameters)
        )
        rows.append(
            [
                run.requested_at,
                run.kind.label,
                about,
                run.format.value,
                run.requested_by.email if run.requested_by else _("system"),
                run.status.value,
                run.duration_ms,
            ]
        )
    return header, rows


def schedules_table(session, stmt) -> tuple[list[str], list[list]]:

    header = [_("Name"), _("Report"), _("Format"), _("Recurrence"), _("Next run"), _("Last run")]
    header += [_("Recipients"), _("Status")]
    rows = []
    for s in session.scalars(stmt.options(selectinload(ReportSchedule.recipients))).unique():
        recipients = ", ".join(
            r.user.email
            if r.user
            else f"{r.member_administration.name} ({r.role.label})"
            if r.member_administration and r.role
            else ""
            for r in s.recipients
        )
        rows.append(
            [
                s.name,
                s.kind.label,
                s.format.value,
                s.recurrence.label,
                s.next_run_at,
                s.last_run_at,
                recipients,
                _("Active") if s.is_active else _("Inactive"),
            ]
        )
    return header, rows


def trainees_table(session, viewer, stmt) -> tuple[list[str], list[list]]:
    """The trainees whose report the reader may generate (only those in their remit)."""

    users = list(session.scalars(stmt).unique())
    visible = progress.trainees_in_remit(session, viewer, users)
    header = [_("Name"), _("Member administration")]
    rows = [
        [
            u.full_name,
            u.member_administration.name if u.member_administration else "",
        ]
        for u in users
        if u.id in visible
    ]
    return header, rows
