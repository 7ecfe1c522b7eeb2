"""HTTP security headers sent with every response, and the body limit checked before anything else.

The Content-Security-Policy allows no inline script and no third-party origin: figures are
sent as JSON and drawn by static files served from this site.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

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


def init_app(app: Flask) -> None:
    """Check the body's length first, and attach the headers to every response."""
    app.before_request(refuse_oversized_body)
    app.after_request(add_security_headers)
