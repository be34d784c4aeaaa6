"""The yardstick for the HTTP benchmark: a bare Flask + Jinja + WTForms app that
shows the same questionnaire page (same labels, same radio buttons, a CSRF
token) and saves it with plain SQL into its own table. The radio buttons are
written by a small function, as surveyapp's own pages write them (faster than
WTForms' widgets or a Jinja loop), so that the yardstick is the fastest this
stack renders them.

No ORM, no translations, no per-request lookups: the page is read once, at
start-up, from the JSON file named by BARE_PAGE_JSON (written by
http_bench.py from surveyapp's database). BARE_DATABASE_URL is a SQLite file
path or a postgresql:// URL. Served by gunicorn as ``bare_app:create_app()``.
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, redirect, render_template
from flask_wtf import FlaskForm
from jinja2 import DictLoader
from markupsafe import Markup, escape
from wtforms import RadioField, SelectChoice
from wtforms.validators import InputRequired, Optional

PAGE = """<!doctype html>
<html lang="{{ spec.lang }}" dir="ltr">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{{ spec.page_title }} · {{ spec.title }}</title>
  <link rel="stylesheet" href="/static/app.css">
</head>
<body>
  <a class="skip-link" href="#main">Skip to content</a>
  <header class="site-header"><div class="wrap header-inner">
    <a class="brand" href="/">surveyapp</a>
    <nav class="languages" aria-label="Language"><ul>
    {% for code, name in languages %}
      <li><button form="page-form" name="action" value="lang:{{ code }}" lang="{{ code }}"
          class="link-button">{{ name }}</button></li>
    {% endfor %}
    </ul></nav>
  </div></header>
  <main id="main" class="wrap" tabindex="-1">
  <p class="questionnaire-title">{{ spec.title }}</p>
  <div class="progress">
    <p id="progress-label">Page {{ spec.number }} of {{ spec.page_count }}</p>
    <progress max="{{ spec.page_count }}" value="{{ spec.number }}"
      aria-labelledby="progress-label">{{ spec.number }}/{{ spec.page_count }}</progress>
  </div>
  <h1>{{ spec.page_title }}</h1>
  {% if spec.page_intro %}<p class="lead">{{ spec.page_intro }}</p>{% endif %}
  <form method="post" id="page-form" novalidate action="/page/{{ response_id }}">
    {{ form.csrf_token }}
    {% for q in spec.questions %}{% set field = form[q.name] %}
    <div class="question {{ 'has-error' if field.errors }} q-{{ q.type }}"
         id="{{ field.id }}-block">
      <fieldset{% if field.description %} aria-describedby="{{ field.id }}-hint"{% endif %}>
        <legend class="question-label">{{ field.label.text }}</legend>
        {% if field.description -%}
          <p class="hint" id="{{ field.id }}-hint">{{ field.description }}</p>
        {%- endif %}
        {% if field.errors %}<p class="field-error">{{ field.errors|join(" ") }}</p>{% endif %}
        <ul class="options scale">
        {{ radio_inputs(field) }}
        </ul>
      </fieldset>
    </div>
    {% endfor %}
    <div class="actions">
      <button class="button primary" name="action" value="next">Next</button>
      <button class="button secondary back" name="action" value="back">Back</button>
      <button class="button link-button" name="action" value="later"
        >Save and continue later</button>
    </div>
  </form>
  </main>
  <footer class="site-footer"><div class="wrap">Western Balkans hub</div></footer>
</body>
</html>
"""

LANGUAGES = [
    ("en", "English"),
    ("sq", "Shqip"),
    ("bs", "Bosanski"),
    ("mk", "Македонски"),
    ("sr", "Српски"),
    ("sr-Latn", "Srpski (latinica)"),
    ("cnr", "Crnogorski"),
    ("hr", "Hrvatski"),
]

SCHEMA = [
    "DROP TABLE IF EXISTS bare_answer",
    "DROP TABLE IF EXISTS bare_response",
    "CREATE TABLE bare_response (id INTEGER PRIMARY KEY, updated_at VARCHAR(32))",
    """CREATE TABLE bare_answer (
        id {serial} PRIMARY KEY,
        response_id INTEGER NOT NULL REFERENCES bare_response (id),
        question_id INTEGER NOT NULL,
        choice VARCHAR(64),
        number FLOAT,
        text TEXT,
        UNIQUE (response_id, question_id)
    )""",
]

UPSERT = (
    "INSERT INTO bare_answer (response_id, question_id, choice, number) "
    "VALUES ({p}, {p}, {p}, {p}) "
    "ON CONFLICT (response_id, question_id) "
    "DO UPDATE SET choice = excluded.choice, number = excluded.number, text = NULL"
)
TOUCH = "UPDATE bare_response SET updated_at = {p} WHERE id = {p}"


def _is_postgres(url: str) -> bool:
    return url.startswith("postgres")


def _psycopg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def create_schema(url: str, responses: int) -> None:
    """Fresh tables and ``responses`` response rows (ids 1..responses)."""
    if _is_postgres(url):
        import psycopg

        with psycopg.connect(_psycopg_url(url)) as conn:
            for statement in SCHEMA:
                conn.execute(statement.format(serial="SERIAL"))
            conn.cursor().executemany(
                "INSERT INTO bare_response (id) VALUES (%s)",
                [(i,) for i in range(1, responses + 1)],
            )
        return
    conn = sqlite3.connect(url)
    conn.execute("PRAGMA journal_mode=WAL")
    for statement in SCHEMA:
        conn.execute(statement.format(serial="INTEGER"))
    conn.executemany(
        "INSERT INTO bare_response (id) VALUES (?)", [(i,) for i in range(1, responses + 1)]
    )
    conn.commit()
    conn.close()


class Store:
    """One connection per worker process (gunicorn forks before the first request)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.postgres = _is_postgres(url)
        self._conn = None
        p = "%s" if self.postgres else "?"
        self.upsert, self.touch = UPSERT.format(p=p), TOUCH.format(p=p)

    def conn(self):
        if self._conn is None:
            if self.postgres:
                import psycopg

                self._conn = psycopg.connect(_psycopg_url(self.url))
            else:
                self._conn = sqlite3.connect(self.url, isolation_level=None)
                for pragma in (
                    "foreign_keys=ON",
                    "busy_timeout=15000",
                    "journal_mode=WAL",
                    "synchronous=NORMAL",
                ):
                    self._conn.execute(f"PRAGMA {pragma}")
        return self._conn

    def save(self, response_id: int, rows: list[tuple[int, str | None, float | None]]) -> None:
        conn = self.conn()
        now = datetime.now(UTC).isoformat()
        params = [(response_id, qid, choice, number) for qid, choice, number in rows]
        if self.postgres:
            with conn.transaction():
                conn.execute(self.touch, (now, response_id))  # takes the row lock
                conn.cursor().executemany(self.upsert, params)
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(self.touch, (now, response_id))
            conn.executemany(self.upsert, params)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def radio_inputs(field) -> Markup:
    """The options as surveyapp writes them (surveyapp.web.survey.display.choice_inputs)."""
    name = escape(field.name)
    items = []
    for index, choice in enumerate(field.choices):
        option_id = escape(f"{field.id}-{index}")
        checked = "checked " if choice.value == field.data else ""
        items.append(
            f'<li><input {checked}id="{option_id}" name="{name}" type="radio" '
            f'value="{escape(choice.value)}"> <label for="{option_id}">'
            f"{escape(choice.label)}</label></li>"
        )
    return Markup("\n".join(items))  # nosec B704 (everything in it is escaped)


def make_form_class(spec: dict) -> type[FlaskForm]:
    attrs = {}
    for q in spec["questions"]:
        validators = [InputRequired()] if q["required"] else [Optional()]
        attrs[q["name"]] = RadioField(
            q["label"],
            choices=[SelectChoice(value, label) for value, label, _score in q["choices"]],
            validators=validators,
            description=q["hint"] or "",
        )
    return type("PageForm", (FlaskForm,), attrs)


def create_app() -> Flask:
    spec = json.loads(Path(os.environ["BARE_PAGE_JSON"]).read_text())
    store = Store(os.environ["BARE_DATABASE_URL"])
    form_class = make_form_class(spec)
    scores = {
        q["name"]: (q["id"], {value: score for value, _label, score in q["choices"]})
        for q in spec["questions"]
    }

    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    app.jinja_loader = DictLoader({"page.html": PAGE})
    app.add_template_global(radio_inputs)

    def render(response_id: int, form: FlaskForm) -> str:
        return render_template(
            "page.html", spec=spec, form=form, response_id=response_id, languages=LANGUAGES
        )

    @app.get("/page/<int:response_id>")
    def page(response_id: int):
        return render(response_id, form_class(formdata=None))

    @app.post("/page/<int:response_id>")
    def save_page(response_id: int):
        form = form_class()
        if not form.validate():
            return render(response_id, form), 422
        rows = []
        for name, (question_id, choice_scores) in scores.items():
            value = form[name].data
            if value not in (None, ""):
                rows.append((question_id, value, choice_scores.get(value)))
        store.save(response_id, rows)
        return redirect(f"/page/{response_id + 1}", code=303)

    return app
