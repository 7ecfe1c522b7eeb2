"""The application factory (what gunicorn's `rollout.app:create_app()` calls)."""

from __future__ import annotations

import os
from typing import Any, Mapping

from flask import Flask, current_app, request
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from rollout import api, cache, config, db, errors, i18n, security
from rollout.auth import access, identity
from rollout.sharing import redaction

csrf = CSRFProtect()


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
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # protect_forms decides
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # the session's idle timeout bounds it
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.secret_key(app.instance_path)

    if app.config.get("BEHIND_PROXY"):
        # Procfile hosts terminate TLS at their router: trust its X-Forwarded-* headers so
        # that HTTPS is recognised (HSTS, secure redirects) and throttling sees client addresses.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    app.url_map.converters["int"] = DatabaseIdConverter
    db.init_app(app)
    cache.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    identity.init_app(app)
    access.init_app(app)
    csrf.init_app(app)
    app.before_request(protect_forms)
    errors.init_app(app)
    redaction.init_app(app)

    from dashboards.shared import bp as shared_bp
    from dashboards.views import bp as dashboards_bp
    from rollout.admin.routes import bp as admin_bp
    from rollout.auth.routes import bp as auth_bp
    from rollout.basins.routes import bp as basins_bp
    from rollout.home import bp as home_bp
    from rollout.imports.routes import bp as imports_bp
    from rollout.planning.comparison_routes import bp as plan_comparison_bp
    from rollout.planning.relaxation_routes import bp as plan_relaxation_bp
    from rollout.planning.replanning_routes import bp as replanning_bp
    from rollout.planning.routes import bp as planning_bp
    from rollout.programmes.routes import bp as programmes_bp
    from rollout.scenarios.routes import bp as scenarios_bp
    from rollout.schools.routes import bp as schools_bp
    from rollout.sharing.routes import bp as sharing_bp
    from rollout.tracking.routes import bp as tracking_bp
    from rollout.trainers.routes import bp as trainers_bp
    from rollout.training.records_routes import bp as training_records_bp
    from rollout.training.planned_routes import bp as planned_training_bp
    from rollout.training.sessions_routes import bp as training_sessions_bp
    from rollout.usage.routes import bp as usage_bp
    from rollout.waves.routes import bp as waves_bp

    blueprints = (home_bp, auth_bp, admin_bp, programmes_bp, dashboards_bp, tracking_bp, usage_bp, schools_bp, basins_bp, waves_bp, trainers_bp,
                  imports_bp, planning_bp, plan_comparison_bp, plan_relaxation_bp, replanning_bp, scenarios_bp, sharing_bp, shared_bp,
                  planned_training_bp, training_records_bp, training_sessions_bp)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    api.init_app(app)
    return app


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` URL parts limited to what an id column holds (32-bit): a larger number is a
    404 from routing, not a PostgreSQL error from the query."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = 2**31 - 1, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def protect_forms() -> None:
    """CSRF on every state-changing request made with a browser session.

    Calls authenticated by an API token carry no cookie, so a third-party page cannot forge
    them; they are the only ones exempt.
    """
    if request.method in ("GET", "HEAD", "OPTIONS", "TRACE") or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if current_user.is_authenticated and current_user.via_token:
        return
    csrf.protect()
