"""HTTP security headers sent with every response, and what a request may carry, checked
before anything else reads it: a body within the limit, and text without a NUL character.

The Content-Security-Policy allows no inline script and no third-party origin: figures are
sent as JSON and drawn by static files served from this site.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NoReturn

from flask import Flask, Response, abort, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from rollout.auth.access import wants_json
from rollout.core.problems import Problem, describe
from rollout.errors import ApiError

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HSTS = "max-age=31536000; includeSubDomains"
FORMS = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
"""The bodies werkzeug parses into `request.form`."""
SHOWN_CHARACTERS = 80
"""How much of a refused value a message quotes (a value may be a 100,000-character paste)."""


def add_security_headers(response: Response) -> Response:
    """Set the headers; HSTS only over HTTPS, where it means something."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def refuse_oversized_body() -> None:
    """413 for a body whose declared length is over MAX_CONTENT_LENGTH, before any other hook or
    view: werkzeug refuses it only when something reads it, so a route that reads no body (a
    JSON operation sent a file) would answer something else, after signing the caller in. A
    body of undeclared length is still cut at the limit as it is read."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()


def _json_texts(document: Any) -> Iterator[tuple[str, str]]:
    """(where, text) for every key and string of a JSON document, `where` a dotted path. Walked
    without recursion: the document may be nested as deep as the parser allows."""
    pending: list[tuple[str, Any]] = [("", document)]
    while pending:
        where, value = pending.pop()
        if isinstance(value, str):
            yield where, value
        elif isinstance(value, dict):
            for key, item in value.items():
                path = f"{where}.{key}" if where else str(key)
                pending.append((path, item))
                yield path, str(key)
        elif isinstance(value, list):
            pending.extend((f"{where}.{index}" if where else str(index), item) for index, item in enumerate(value))


def _request_texts() -> Iterator[tuple[str | None, str]]:
    """(field, text) for the path, the query, the form and a JSON body (None: the path)."""
    yield None, request.path
    sources = [request.args, request.form] if request.mimetype in FORMS else [request.args]
    for source in sources:
        for name, values in source.lists():
            field = name or ""  # a form part may come without a name
            yield field, field
            yield from ((field, value) for value in values)
    if request.is_json:
        try:
            document = request.get_json(silent=True)
        except RecursionError:
            _refuse(_("JSON imbriqué trop profondément"), None)
        if b"\\u0000" in request.get_data():  # the only way JSON writes a NUL: walk the document only then
            yield from _json_texts(document)


def _refuse(message: str, field: str | None) -> NoReturn:
    if wants_json():
        raise ApiError(400, message, field=field)
    abort(400, description=message)


def refuse_nul_characters() -> None:
    """400 naming the field for a request whose path, query, form or JSON holds a NUL character
    (U+0000), or whose JSON is nested deeper than Python parses: nobody types a NUL, and
    PostgreSQL text cannot hold one, so a lookup or a write would fail in the database (a 500)
    rather than be refused. Uploaded files are the imports' to check (`rollout.imports.tabular`)."""
    for field, text in _request_texts():
        if "\x00" in text:
            if field is None:
                _refuse(_("caractère nul (U+0000) dans l'adresse"), None)
            refused = Problem("invalid_value", column=field, value=text[:SHOWN_CHARACTERS],
                              params={"detail": _("elle contient un caractère nul")})
            _refuse(describe(refused), field)


def init_app(app: Flask) -> None:
    """Check the body's length and the request's text first, and attach the headers to every
    response."""
    app.before_request(refuse_oversized_body)
    app.before_request(refuse_nul_characters)
    app.after_request(add_security_headers)
