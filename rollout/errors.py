"""Error responses: JSON `{"message", "field"}` for the API, a page for browsers."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, current_app, jsonify, render_template
from flask_babel import gettext as _
from werkzeug.exceptions import Conflict, HTTPException, RequestEntityTooLarge

from rollout.auth.access import wants_json
from rollout.db import get_session


class ApiError(Exception):
    """An API error a client can act on; `field` names the offending input when there is one."""

    def __init__(self, status: int, message: str, *, field: str | None = None, **extra: object) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.extra = extra


def api_error_response(error: ApiError):
    return jsonify(message=error.message, field=error.field, **error.extra), error.status


def http_error_response(error: HTTPException):
    if wants_json():
        response = jsonify(message=error.description or error.name, field=None)
        response.status_code = error.code or 500
        if error.code == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="rollout"'
        return response
    return render_template("errors/error.html", error=error), error.code or 500


def too_large_response(error: RequestEntityTooLarge):
    """413 saying the limit, for a page as for the API: werkzeug refuses a body over
    MAX_CONTENT_LENGTH (or a form field over MAX_FORM_MEMORY_SIZE) as it is read, before any
    view runs, so nothing was written; its own words name no limit and are English."""
    limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // 2**20
    error.description = _("Envoi trop volumineux : rien n'a été enregistré. Un envoi fait au plus %(limit)d Mio, "
                          "fichier compris : découpez le fichier en plusieurs.", limit=limit)
    return http_error_response(error)


def busy_database_response(error: sa.exc.OperationalError):
    """SQLite refuses a write whose transaction read data another request has since changed
    ("database is locked"): nothing was written, so answer it as the edit conflict it is."""
    if "database is locked" not in str(error.orig):
        raise error
    get_session().rollback()
    return http_error_response(
        Conflict(description="quelqu'un d'autre enregistre une modification en même temps : rechargez la page et réessayez")
    )


def init_app(app: Flask) -> None:
    app.register_error_handler(ApiError, api_error_response)
    app.register_error_handler(HTTPException, http_error_response)
    app.register_error_handler(RequestEntityTooLarge, too_large_response)
    app.register_error_handler(sa.exc.OperationalError, busy_database_response)
