"""Courses, their sessions, and enrolment in tracks and sessions."""
