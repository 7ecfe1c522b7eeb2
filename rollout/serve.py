"""Serving the application with gunicorn from the `rollout demo` command."""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from rollout.sharing.redaction import without_secrets


class AccessLogger(Logger):
    """gunicorn's logger, writing share links' addresses without their secret (`--logger-class`
    in the Procfile): the access log is kept and read by more people than the dashboards' readers."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: without_secrets(value) if isinstance(value, str) else value for key, value in atoms.items()}


class GunicornServer(BaseApplication):
    """gunicorn running an already-built Flask app: the same server as the Procfile's."""

    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def serve(app: Flask, *, host: str, port: int, workers: int) -> None:
    """Serve until interrupted; the database engine is disposed so workers open their own."""
    engine = app.extensions.pop("rollout.engine", None)
    if engine is not None:
        engine.dispose()
    GunicornServer(
        app,
        {"bind": f"{host}:{port}", "workers": workers, "threads": 4, "timeout": 60, "accesslog": "-",
         "logger_class": "rollout.serve.AccessLogger"},
    ).run()
