"""Staff pages for reading results: dashboard, campaigns, needs profiles, exports."""

from surveyapp.review.routes import bp

__all__ = ["bp"]
