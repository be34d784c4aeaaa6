"""Views of the staff's review pages."""

from __future__ import annotations

from flask import Blueprint, render_template

from surveyapp.auth import roles_required

bp = Blueprint("review", __name__)


@bp.get("/<lang>/staff/")
@roles_required()
def dashboard():
    return render_template("review/dashboard.html")
