"""Error responses: JSON `{"message", "field"}` for the API, a page for browsers."""

from __future__ import annotations

from flask import Flask, jsonify, render_template
from werkzeug.exceptions import HTTPException

from rollout.auth.access import wants_json


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


def init_app(app: Flask) -> None:
    app.register_error_handler(ApiError, api_error_response)
    app.register_error_handler(HTTPException, http_error_response)
