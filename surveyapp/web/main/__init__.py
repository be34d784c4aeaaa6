"""Pages for everyone: the home page and the language entry points."""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, url_for
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Campaign
from surveyapp.models.base import utcnow
from surveyapp.questionnaires.texts import load_texts

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    return redirect(url_for("main.home", lang=g.lang))


@bp.get("/<lang>/")
def home():
    campaigns = []
    if current_app.config["SHOW_OPEN_CAMPAIGNS"]:
        now = utcnow()
        for campaign in db.session.scalars(
            select(Campaign).where(Campaign.open_token.is_not(None)).order_by(Campaign.id)
        ):
            if campaign.is_open(now):
                campaigns.append((campaign, load_texts(campaign.version_id, g.lang)))
    return render_template("home.html", campaigns=campaigns)
