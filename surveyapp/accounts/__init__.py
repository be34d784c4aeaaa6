"""Staff accounts and the audit log of what staff did."""
