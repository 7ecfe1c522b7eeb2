"""Error responses: JSON `{"message", "field"}` for the API, a page for browsers."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from rollout.auth.access import wants_json
from rollout.db import close_session


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


def database_unavailable(error: sa.exc.DBAPIError) -> bool:
    """Whether `error` says the database cannot be used right now, rather than refusing this
    request's data (IntegrityError, DataError…) or running a wrong query (ProgrammingError):
    a server that is down or unreachable, a connection lost, a SQLite file that cannot be
    opened or read, a lock held past the busy timeout. A plain DatabaseError is SQLite's "file
    is not a database" or "malformed": its subclasses are the refusals."""
    return (isinstance(error, (sa.exc.OperationalError, sa.exc.InterfaceError))
            or type(error) is sa.exc.DatabaseError or error.connection_invalidated)


def database_busy(error: sa.exc.DBAPIError) -> bool:
    """Another writer held the database too long: SQLite's lock past the busy timeout, or a
    PostgreSQL deadlock, serialization failure or lock timeout."""
    if isinstance(error.orig, sqlite3.Error):
        return getattr(error.orig, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY
    state = getattr(error.orig, "sqlstate", None) or ""
    return state.startswith("40") or state == "55P03"


def database_unavailable_response(error: sa.exc.DBAPIError | sa.exc.TimeoutError):
    """503 with a message that says to retry, never the driver's text (it names tables, hosts,
    files): the log keeps it for whoever runs the server. The request's session is dropped, so
    the next request starts on a fresh connection and works as soon as the database is back.
    The pool's time-out (every connection of the process lent for ROLLOUT_DB_POOL_TIMEOUT
    seconds) is no driver error, but the same to the person waiting: the server is busy.

    The page is rendered without Flask's context processors, and stands alone rather than
    extending the usual layout: both would ask the database who is signed in."""
    pool_exhausted = isinstance(error, sa.exc.TimeoutError)
    if not pool_exhausted and not database_unavailable(error):
        raise error
    current_app.logger.error("database unavailable for %s %s: %s", request.method, request.path,
                             " ".join(str(getattr(error, "orig", None) or error).split()))
    close_session()
    if pool_exhausted:
        message = _("Le serveur traite trop de demandes à la fois : réessayez dans quelques instants.")
    elif database_busy(error):
        message = _("La base de données est occupée par une autre modification (un import, par exemple) : "
                    "réessayez dans quelques instants.")
    else:
        message = _("La base de données ne répond pas pour le moment : réessayez dans quelques instants. "
                    "Si cela dure, prévenez la personne qui administre rollout.")
    if wants_json():
        return jsonify(message=message, field=None), 503
    page = current_app.jinja_env.get_template("errors/unavailable.html")
    return page.render(message=message, retry=request.full_path.rstrip("?")), 503


def init_app(app: Flask) -> None:
    app.register_error_handler(ApiError, api_error_response)
    app.register_error_handler(HTTPException, http_error_response)
    app.register_error_handler(RequestEntityTooLarge, too_large_response)
    app.register_error_handler(sa.exc.DBAPIError, database_unavailable_response)
    app.register_error_handler(sa.exc.TimeoutError, database_unavailable_response)
