"""Sentences that read naturally in every language: the staff home's activity names the
actor once ("Ana signed in", not "Ana · signed in: Ana"), and the open link's offer to
continue says the role as a word in the sentence, not as a capitalised heading."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.languages.registry import LANGUAGES
from surveyapp.models import ROLES, Municipality
from tests.conftest import Staff
from tests.test_open_link_defences import _campaign, _register


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_staff_home_names_who_signed_in_once_in_every_language(client, make_user, lang):
    make_user("admin")
    assert Staff(client, "admin@example.org").login(lang=lang).status_code == 303
    html = client.get(f"/{lang}/staff/").get_data(as_text=True)
    (item,) = re.findall(r"<li>(.*?)</li>", html.split('class="activity"')[1], re.S)[:1]
    line = _text(item)
    assert line.count("Admin") == 1, line
    assert re.search(r"· Admin \S", line), line  # the name, then what they did
    assert not line.rstrip(".").endswith(("Admin", ":")), line


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("role", ROLES)
def test_the_offer_to_continue_says_the_role_mid_sentence_in_lower_case(app, client, lang, role):
    open_token = _campaign(app, caps=None)
    assert _register(client, open_token, municipality="mk-kumanovo", role=role).status_code == 303
    html = client.get(f"/{lang}/o/{open_token}").get_data(as_text=True)
    section = re.search(r'<section class="notice".*?</section>', html, re.S).group(0)
    sentence = _text(re.findall(r"<p>(.*?)</p>", section, re.S)[0])
    with app.app_context():
        town = db.session.scalar(select(Municipality).where(Municipality.code == "mk-kumanovo"))
        name = town.name(lang)
    assert name in sentence, sentence
    rest = sentence.replace(name, "")[1:]
    assert not re.search(r"[A-ZÇËŠĐČĆŽА-ЯЃЅЈЉЊЌЏЂЋ]", rest), sentence
    if lang == "en":
        expected = {
            "mayor": "You already started as the mayor of Kumanovo.",
            "deputy_mayor": "You already started as a deputy mayor of Kumanovo.",
            "councillor": "You already started as a member of the municipal council of Kumanovo.",
            "municipal_staff": "You already started as a member of the municipal staff of "
            "Kumanovo.",
        }
        assert sentence == expected[role]
