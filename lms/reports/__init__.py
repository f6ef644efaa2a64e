"""PDF progress reports, charts, CSV/XLSX exports, certificates, report runs and schedules."""
