"""The application factory (what gunicorn's `rollout.app:create_app()` calls)."""

from __future__ import annotations

import os
from typing import Any, Mapping

from flask import Flask

from rollout import config, db, security


def create_app(test_config: Mapping[str, Any] | None = None, *, instance_path: str | None = None) -> Flask:
    """Build the application: environment settings, then `test_config` overrides, then blueprints.

    The instance folder (SQLite file, generated secret key) is ROLLOUT_INSTANCE_PATH when set,
    else Flask's default `instance/` beside the package.
    """
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=instance_path or os.environ.get("ROLLOUT_INSTANCE_PATH") or None,
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config is not None:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.secret_key(app.instance_path)

    db.init_app(app)
    security.init_app(app)

    from rollout.home import bp as home_bp

    for blueprint in (home_bp,):
        app.register_blueprint(blueprint)
    return app
