"""Staff download of a file a respondent uploaded.

Only staff who may read responses (``run_campaigns``); always as an attachment,
with the content type the file was found to be (never HTML or SVG: those are
refused at upload), ``nosniff`` and a sandboxing Content-Security-Policy, so a
browser never runs what it holds. Every download is recorded in the audit log.
"""

from __future__ import annotations

from flask import abort, send_file

from surveyapp.responses import upload_answers
from surveyapp.web.review import bp
from surveyapp.web.staff import record_action, requires


@bp.get("/<lang>/staff/files/<key>")
@requires("run_campaigns")
def stored_file(key: str):
    found = upload_answers.file_for_staff(key)
    if found is None:
        abort(404)
    stored, path = found
    record_action("file_downloaded", f"response:{stored.response_id}", question=stored.question_id)
    reply = send_file(
        path,
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.original_name,
        max_age=0,
        etag=False,
        conditional=False,
    )
    reply.headers["X-Content-Type-Options"] = "nosniff"
    reply.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    reply.headers["Cache-Control"] = "private, no-store"
    return reply
