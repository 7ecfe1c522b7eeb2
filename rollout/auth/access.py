"""Access rules: every view declares who may call it, and one hook enforces the declarations.

A view without a declared rule is refused (403) rather than left open, and a test enumerates
`app.url_map` to fail on any such route. Every refusal is audited. Roles are checked here;
districts are checked where the data is loaded (`rollout.auth.scope`), so a user never sees
another district's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, TypeVar

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

from rollout.auth.events import record_refusal
from rollout.core.permissions import EDITORS, LEADERS, READERS, may, role_allows
from rollout.models import ROLES

View = TypeVar("View", bound=Callable)
__all__ = ["EDITORS", "LEADERS", "READERS", "access"]


@dataclass(frozen=True)
class AccessRule:
    """Who may call a view: anyone (`public`), or signed-in users with one of `roles`.

    Admins may call every non-public view: they manage the whole installation.
    """

    roles: frozenset[str] = frozenset()
    public: bool = False

    def allows(self, role: str | None) -> bool:
        return self.public or role_allows(role, self.roles)


def access(*roles: str, public: bool = False) -> Callable[[View], View]:
    """Declare a view's access rule: `@access(public=True)` or `@access("district_leader", …)`."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    if public == bool(roles):
        raise ValueError("a rule is either public or names the roles allowed")

    def declare(view: View) -> View:
        view.access_rule = AccessRule(roles=frozenset(roles), public=public)  # type: ignore[attr-defined]
        return view

    return declare


def rule_of(endpoint: str | None) -> AccessRule | None:
    """The declared rule of an endpoint's view, or None when it declares none."""
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, "access_rule", None)


def wants_json() -> bool:
    """API callers get JSON errors; browsers get pages and redirects."""
    return request.path.startswith("/api/")


def enforce_access():
    """before_request hook: refuse the request unless the view's rule allows the caller."""
    if request.endpoint is None:
        return None  # 404 or 405: nothing to protect
    rule = rule_of(request.endpoint)
    if rule is None:
        record_refusal()
        abort(403, description="route without an access rule")
    if rule.public:
        return None
    if not current_user.is_authenticated:
        if wants_json():
            abort(401, description="authentication required: send 'Authorization: Bearer <token>'")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if not rule.allows(current_user.role):
        record_refusal()
        abort(403, description="your role does not allow this")
    return None


def declare_public(app: Flask, endpoint: str) -> None:
    """Mark a view registered by Flask itself (e.g. `static`) as public."""
    access(public=True)(app.view_functions[endpoint])


def init_app(app: Flask) -> None:
    declare_public(app, "static")
    app.before_request(enforce_access)
    app.jinja_env.globals["may"] = lambda action: may(current_user, action)
