"""Home page, dashboard by role, and operational endpoints."""
