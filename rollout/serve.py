"""Serving the application with gunicorn from the `rollout demo` command."""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


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
        {"bind": f"{host}:{port}", "workers": workers, "threads": 4, "timeout": 60, "accesslog": "-"},
    ).run()
