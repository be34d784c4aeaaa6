"""``flask --app surveyapp seed-demo``: a demo campaign with synthetic responses."""

from __future__ import annotations

import time

import click
from flask import Flask

from surveyapp.demo.engagements import seed_engagements
from surveyapp.demo.rounds import seed_demo_rounds
from surveyapp.demo.seed import seed_demo


def register_demo_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--responses", type=click.IntRange(1, 1_000_000), default=1000, show_default=True)
    @click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same data.")
    @click.option(
        "--rounds",
        type=click.IntRange(0, 3),
        default=0,
        help="Also make a series of 2 or 3 rounds (N responses each), years apart.",
    )
    def seed_demo_command(responses: int, seed: int, rounds: int) -> None:
        """Fill a demo campaign with N realistic synthetic responses (all countries,
        roles and languages, with different need patterns per country), and record the
        hub's engagements with some of the cities."""
        started = time.perf_counter()
        if rounds:
            if rounds == 1:
                raise click.BadParameter("a series needs 2 or 3 rounds", param_hint="--rounds")
            series_id = seed_demo_rounds(responses, rounds, seed=seed)
            click.echo(f"Series {series_id}: {rounds} rounds of {responses} responses.")
        campaign = seed_demo(responses, seed=seed)
        engagements = seed_engagements(campaign, seed=seed)
        click.echo(
            f"Demo campaign {campaign.id} ({campaign.name}): {responses} responses "
            f"and {engagements} engagements of the hub in {time.perf_counter() - started:.1f} s."
        )
