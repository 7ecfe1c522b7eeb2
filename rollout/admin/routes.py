"""The accounts page: admins see every account and deactivate or reactivate it. Every change
is audited, and an admin cannot deactivate themself."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from rollout.auth.access import access
from rollout.auth.accounts import AccountError, accounts_with_districts, activate_user, deactivate_user
from rollout.auth.identity import current_author
from rollout.core.forms import ButtonForm
from rollout.db import get_session
from rollout.models import User

bp = Blueprint("admin", __name__)

ROLE_NAMES = {
    "admin": _l("administration"),
    "district_leader": _l("direction du projet"),
    "project_manager": _l("chef ou cheffe de projet"),
    "stakeholder": _l("partenaire"),
}


@bp.get("/admin/users")
@access("admin")
def users():
    return render_template("admin/users.html", accounts=accounts_with_districts(get_session()), role_names=ROLE_NAMES,
                           button=ButtonForm())


def _account_or_404(user_id: int) -> User:
    """The account named in the URL, after the form's CSRF check (400 first, like every button)."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    user = get_session().get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.post("/admin/users/<int:user_id>/deactivate")
@access("admin")
def deactivate(user_id: int):
    user = _account_or_404(user_id)
    try:
        deactivate_user(get_session(), user=user, author=current_author("form"))
    except AccountError:
        flash(_("Vous ne pouvez pas désactiver votre propre compte."), "error")
        return redirect(url_for("admin.users"))
    get_session().commit()
    flash(_("Compte %(email)s désactivé : ses sessions sont fermées, ses jetons refusés tant qu'il l'est.",
            email=user.email), "info")
    return redirect(url_for("admin.users"))


@bp.post("/admin/users/<int:user_id>/activate")
@access("admin")
def activate(user_id: int):
    user = _account_or_404(user_id)
    activate_user(get_session(), user=user, author=current_author("form"))
    get_session().commit()
    flash(_("Compte %(email)s réactivé.", email=user.email), "info")
    return redirect(url_for("admin.users"))
