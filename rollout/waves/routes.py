"""Pages of a programme's waves: everyone who may see the programme reads the list; district
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
from rollout.models import Wave
from rollout.models.wave import WaveCreate, WaveUpdate
from rollout.waves.forms import WaveForm
from rollout.waves.records import FIELDS as WAVE_FIELDS
from rollout.waves.records import create_wave, delete_wave, programme_waves, update_wave, wave_or_none

bp = Blueprint("waves", __name__)


def _wave_values(form: WaveForm) -> dict[str, Any]:
    values = {name: form[name].data for name in WAVE_FIELDS}
    values["label"] = values["label"] or None
    return values


def _wave_fields(_db: Session, wave: Wave) -> dict[str, Any]:
    return {name: getattr(wave, name) for name in WAVE_FIELDS}


WAVES = CodedRecords(
    entity="wave", form=WaveForm, values=_wave_values, shown=_wave_fields,
    create_model=WaveCreate, update_model=WaveUpdate,
    find=wave_or_none, create=create_wave, update=update_wave, delete=delete_wave,
    new_title=_l("Nouvelle vague"), title=_l("Vague %(code)s"), created=_l("Vague %(code)s créée."),
    saved=_l("Vague %(code)s enregistrée."), deleted=_l("Vague %(code)s supprimée."),
    refused=_l("La vague %(code)s n'est pas supprimée : %(reason)s"),
)


@bp.get("/programmes/<int:programme_id>/waves")
@access(*READERS)
def index(programme_id: int):
    programme = programme_or_404(programme_id)
    return programme_page("waves/index.html", programme, waves=list(programme_waves(get_session(), programme=programme).values()))


add_record_pages(bp, WAVES)
