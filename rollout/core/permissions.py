"""Who may do what: the roles behind each action, in one table that routes, pages and
templates all read, so that a button is shown exactly to those whose click would be allowed.

Admins may do everything: they manage the whole installation. Districts are checked where the
data is loaded (`rollout.auth.scope`), not here.
"""

from __future__ import annotations

from typing import Any

from rollout.models import ROLES

READERS = ROLES
EDITORS = ("district_leader", "project_manager")
LEADERS = ("district_leader",)

ACTIONS: dict[str, tuple[str, ...]] = {
    "read": READERS,
    "record_progress": EDITORS,  # milestones, progress files
    "import_usage": EDITORS,
    "edit_reference": LEADERS,  # schools, basins, waves, trainers
    "edit_programme": LEADERS,  # create programmes, change their settings
    "edit_taxonomy": LEADERS,
    "plan": LEADERS,  # run the planner, adopt a plan
    "share_dashboards": LEADERS,  # create and revoke share links
    "manage_accounts": (),  # deactivate and reactivate accounts: admins only
}


def role_allows(role: str | None, roles: frozenset[str] | tuple[str, ...]) -> bool:
    """Whether a user of `role` may act where `roles` may (admins always may)."""
    return role is not None and (role == "admin" or role in roles)


def may(user: Any, action: str) -> bool:
    """Whether `user` (a signed-in account, or anonymous) may do `action` (a key of ACTIONS)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return role_allows(user.role, ACTIONS[action])
