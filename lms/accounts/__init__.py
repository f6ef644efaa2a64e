"""Accounts: member administrations, users, roles, authentication and sessions."""
