"""Staff sign-in, sign-out, roles and account management."""

from surveyapp.auth.routes import bp, roles_required

__all__ = ["bp", "roles_required"]
