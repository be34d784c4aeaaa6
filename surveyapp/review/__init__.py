"""Staff pages for reading results: dashboard, campaigns, needs profiles, peer learning, exports."""

from surveyapp.review import peer_routes, routes
from surveyapp.review.blueprint import bp

__all__ = ["bp", "peer_routes", "routes"]
