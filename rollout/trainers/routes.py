"""Pages of a programme's trainers: everyone who may see the programme reads the list; district
leaders create, edit and delete (imports: `rollout.imports`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from rollout.auth.access import READERS, access
from rollout.auth.scope import programme_or_404
from rollout.core.pages import CodedRecords, add_record_pages, programme_page
from rollout.db import get_session
from rollout.basins.records import programme_basins
from rollout.imports import cells
from rollout.models import Trainer
from rollout.models.trainer import TrainerCreate, TrainerUpdate
from rollout.trainers.forms import TIER_NAMES, TrainerForm
from rollout.trainers.records import create_trainer, delete_trainer, programme_trainers, trainer_or_none, trainer_snapshot, update_trainer

bp = Blueprint("trainers", __name__)


def _trainer_values(form: TrainerForm) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": form.name.data, "tier": form.tier.data, "capacity": form.capacity.data or 0,
        "trained": form.trained.data, "email": form.email.data or None,
    }
    for field, convert in (("basins", cells.codes), ("capacities", cells.capacities)):
        try:
            values[field] = convert(getattr(form, field).data or "")
        except ValueError as error:
            getattr(form, field).errors = [str(error)]
    return values


def _trainer_fields(db: Session, trainer: Trainer) -> dict[str, Any]:
    """A trainer's snapshot as the form shows it: basins and capacities as typed text."""
    snapshot = trainer_snapshot(db, trainer)
    return {
        **snapshot, "basins": "*" if snapshot["basins"] is None else " ".join(snapshot["basins"]),
        "capacities": " ".join(f"{wave}={sessions}" for wave, sessions in snapshot["capacities"].items()),
    }


TRAINERS = CodedRecords(
    entity="trainer", form=TrainerForm, values=_trainer_values, shown=_trainer_fields,
    create_model=TrainerCreate, update_model=TrainerUpdate,
    find=trainer_or_none, create=create_trainer, update=update_trainer, delete=delete_trainer,
    new_title=_l("Nouveau formateur"), title=_l("Formateur %(code)s"), created=_l("Formateur %(code)s créé."),
    saved=_l("Formateur %(code)s enregistré."), deleted=_l("Formateur %(code)s supprimé."),
)


@bp.get("/programmes/<int:programme_id>/trainers")
@access(*READERS)
def index(programme_id: int):
    db = get_session()
    programme = programme_or_404(programme_id)
    rows = [trainer_snapshot(db, trainer) for trainer in programme_trainers(db, programme=programme)]
    basins = programme_basins(db, programme=programme)
    return programme_page("trainers/index.html", programme, trainers=rows, basins=basins, tiers=TIER_NAMES)


add_record_pages(bp, TRAINERS)
