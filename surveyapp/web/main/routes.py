"""The home page and the language entry point."""

from __future__ import annotations

from flask import current_app, g, redirect, render_template, url_for

from surveyapp.campaigns.home_listing import home_cards
from surveyapp.web.main import bp


@bp.get("/")
def index():
    return redirect(url_for("main.home", lang=g.lang))


@bp.get("/<lang>/")
def home():
    campaigns = []
    if current_app.config["SHOW_OPEN_CAMPAIGNS"]:
        campaigns = home_cards(g.lang)
    return render_template("home.html", campaigns=campaigns)
