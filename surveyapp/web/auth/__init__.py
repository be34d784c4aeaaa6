"""Staff sign-in, sign-out, roles, account management and the audit log."""

from surveyapp.web.auth.routes import bp, record_action, roles_required

__all__ = ["bp", "record_action", "roles_required"]
