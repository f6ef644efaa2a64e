"""Calendars: each user's private iCalendar feed and a one-event file per session."""
