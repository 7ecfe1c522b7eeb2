"""Share links' and trainers' calendar feeds' secrets cut out of what the server writes down
(access log, application log): a share link or a feed is its address, so whoever reads the logs
must not be able to open the dashboards or a trainer's calendar."""

from __future__ import annotations

import logging
import re

from flask import Flask

SECRET_IN_PATH = re.compile(r"(/partage/|/feeds/)[^/?#\s\".]+")


def without_secrets(text: str) -> str:
    """`text` with every `/partage/<secret>` written `/partage/…`, `/feeds/<secret>.ics` `/feeds/….ics`."""
    return SECRET_IN_PATH.sub(r"\1…", text)


class SecretsRedacted(logging.Filter):
    """Rewrites each record of the application's log without secrets: Flask's "Exception on
    <path>" and the 503's "database unavailable for <path>" name the request's path."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = without_secrets(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def init_app(app: Flask) -> None:
    app.logger.addFilter(SecretsRedacted())
