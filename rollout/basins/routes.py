"""Pages of a programme's basins: everyone who may see the programme reads the list; district
leaders create, rename and delete."""

from __future__ import annotations

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from rollout.auth.access import READERS, access
from rollout.auth.scope import programme_or_404
from rollout.core.pages import CodedRecords, add_record_pages, programme_page
from rollout.db import get_session
from rollout.basins.forms import BasinForm
from rollout.basins.records import basin_or_none, create_basin, delete_basin, programme_basins, update_basin
from rollout.models.school import BasinCreate, BasinUpdate

bp = Blueprint("basins", __name__)

BASINS = CodedRecords(
    entity="basin", form=BasinForm, values=lambda form: {"name": form.name.data},
    create_model=BasinCreate, update_model=BasinUpdate,
    find=basin_or_none, create=create_basin, update=update_basin, delete=delete_basin,
    new_title=_l("Nouveau bassin"), title=_l("Bassin %(code)s"), created=_l("Bassin %(code)s créé."),
    saved=_l("Bassin %(code)s enregistré."), deleted=_l("Bassin %(code)s supprimé."),
    refused=_l("Le bassin %(code)s n'est pas supprimé : %(reason)s"),
)


@bp.get("/programmes/<int:programme_id>/basins")
@access(*READERS)
def index(programme_id: int):
    programme = programme_or_404(programme_id)
    return programme_page("basins/index.html", programme, basins=list(programme_basins(get_session(), programme=programme).values()))


add_record_pages(bp, BASINS)
