"""Style sheets are linked at the application's root, wherever it is mounted (the
links are built once per root, surveyapp.web.template_globals.static_url)."""

from __future__ import annotations


def test_style_sheets_follow_the_application_root(app):
    client = app.test_client()
    plain = client.get("/en/").get_data(as_text=True)
    assert 'href="/static/app.css"' in plain and 'href="/static/print.css"' in plain
    mounted = client.get("/en/", base_url="http://localhost/survey/").get_data(as_text=True)
    assert 'href="/survey/static/app.css"' in mounted
    assert 'href="/static/app.css"' not in mounted
    assert 'href="/static/app.css"' in client.get("/en/").get_data(as_text=True)
    sheet = client.get("/static/app.css")
    assert sheet.status_code == 200
    sheet.close()
