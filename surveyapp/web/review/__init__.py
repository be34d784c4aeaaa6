"""Staff pages for reading results: dashboard, campaigns, needs profiles, peer learning, exports."""

from flask import Blueprint

bp = Blueprint("review", __name__)

# The view modules attach their views to ``bp`` (imported from here), so they are
# imported once ``bp`` exists: importing them is what registers the views.
from surveyapp.web.review import (  # noqa: E402, F401
    campaign_routes,
    codebook_routes,
    erasure_routes,
    export_job_routes,
    export_routes,
    file_routes,
    peer_routes,
    responses_routes,
    routes,
)

__all__ = ["bp"]
