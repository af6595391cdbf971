"""Admin pages: people and roles, the outbox, the audit log."""
