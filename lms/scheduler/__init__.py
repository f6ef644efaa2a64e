"""Scheduled jobs: a registry, a leader-locked runner process and the admin page."""
