"""Staff pages for reading results: dashboard, campaigns, needs profiles, peer learning, exports."""

from surveyapp.web.review import peer_routes, routes
from surveyapp.web.review.blueprint import bp

__all__ = ["bp", "peer_routes", "routes"]
