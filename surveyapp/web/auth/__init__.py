"""Staff sign-in, sign-out, roles, account management and the audit log."""

from surveyapp.web.auth import account_routes  # noqa: F401  (registers its views on bp)
from surveyapp.web.auth.routes import bp, record_action, roles_required
from surveyapp.web.auth.sessions import recent_password_required

__all__ = ["bp", "record_action", "recent_password_required", "roles_required"]
