"""Plain data for the reports, read from the database once.

The PDF, CSV and XLSX renderers and the statistics page take these dataclasses and never
query anything themselves, so every output of one report shows the same figures. Each report
lists its tables (``tables()``) once: the exports and the PDF both render them.

One module per report (``trainee``, ``project``, ``directorate``), the directorate's counts in
``statistics`` and what they share in ``shared``; everything is re-exported here so callers
keep importing ``lms.reports.data.X``.
"""

from lms.reports.data.directorate import DirectorateData, directorate_data
from lms.reports.data.project import IndicatorBlock, ProjectReportData, project_report_data
from lms.reports.data.shared import TableData
from lms.reports.data.statistics import Figures
from lms.reports.data.trainee import TrackRow, TraineeReportData, trainee_report_data

__all__ = [
    "DirectorateData",
    "Figures",
    "IndicatorBlock",
    "ProjectReportData",
    "TableData",
    "TrackRow",
    "TraineeReportData",
    "directorate_data",
    "project_report_data",
    "trainee_report_data",
]
