"""Administration pages: users, member administrations, the audit log and the outbox."""
