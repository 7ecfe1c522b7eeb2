"""The words of every refusal and every import note, each under a stable code.

A problem says what is wrong as a code (`integer_expected`, a snake_case English identifier
that scripts can rely on) and the values its message needs; the message is written here once,
in French with `%(name)s` placeholders, and translated through the catalogue when it is read:
a page shows it in the page's language, the API in the request's, and the command line (no
request) in French. A code is reused wherever the same thing is wrong, so one mistake reads
the same in every import, form and endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from babel.numbers import format_decimal
from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l

MESSAGES: dict[str, LazyString] = {
    # A value, whatever its field.
    "required": _l("valeur obligatoire"),
    "integer_expected": _l("nombre entier attendu"),
    "number_expected": _l("nombre attendu (par ex. 48,85)"),
    "yes_no_expected": _l("oui ou non attendu"),
    "date_expected": _l("date attendue (AAAA-MM-JJ ou JJ/MM/AAAA)"),
    "no_such_day": _l("date inexistante"),
    "at_least": _l("doit être ≥ %(minimum)s"),
    "more_than": _l("doit être > %(minimum)s"),
    "at_most": _l("doit être ≤ %(maximum)s"),
    "too_long": _l("au plus %(max_length)s caractères"),
    "one_of": _l("valeur attendue : %(expected)s"),
    "no_spaces": _l("sans espace"),
    "invalid_value": _l("valeur refusée : %(detail)s"),
    "priority_expected": _l("éducation prioritaire attendue : REP+, REP ou vide (none)"),
    "uai_expected": _l("UAI attendu : 7 chiffres et une lettre de contrôle (par ex. 0931234L)"),
    "uai_check_letter": _l("lettre de contrôle erronée (attendue : %(expected)s)"),
    "basins_expected": _l("nommez au moins un bassin, ou * pour tous"),
    "capacities_expected": _l("capacités par vague attendues sous la forme W2=0 W3=4"),
    # Programmes of a district.
    "programme_name_taken": _l("un programme de ce district porte déjà ce nom"),
    "unknown_district": _l("aucun de vos districts n'a ce code"),
    "district_expected": _l("choisissez le district du programme parmi les vôtres : %(codes)s"),
    # What-if scenarios of a programme.
    "scenario_name_taken": _l("un scénario de ce programme porte déjà ce nom"),
    "what_if_refused": _l("modification refusée : %(detail)s"),
    "programme_not_plannable": _l("les données du programme ne forment pas un scénario : %(detail)s"),
    "no_such_edit": _l("ce scénario n'a pas de modification n° %(number)s"),
    # A file, its header, its rows.
    "file_too_big": _l("fichier trop volumineux (%(size)s Mio, au plus %(limit)s Mio) : découpez-le en plusieurs fichiers"),
    "xlsx_too_big": _l("classeur trop volumineux une fois décompressé (%(size)s Mio, au plus %(limit)s Mio) : "
                       "découpez-le en plusieurs fichiers"),
    "xlsx_unreadable": _l("classeur XLSX illisible (%(detail)s)"),
    "xlsx_too_many_parts": _l("archive de %(count)d fichiers, au plus %(limit)d dans un classeur : enregistrez-le "
                              "à nouveau depuis votre tableur, ou en CSV"),
    "xlsx_compressed_too_much": _l("« %(part)s » se décompresse %(ratio)d fois plus gros (un classeur ordinaire : "
                                   "5 à 30 fois, au plus %(limit)d) : fichier refusé"),
    "xlsx_shared_strings_too_big": _l("textes du classeur trop volumineux une fois décompressés (%(size)s Mio, au plus "
                                      "%(limit)s Mio) : enregistrez-le en CSV ou découpez-le"),
    "formula_without_value": _l("formule sans valeur calculée : ouvrez le fichier dans un tableur et enregistrez-le, "
                                "ou copiez-collez les valeurs"),
    "not_a_table": _l("ce fichier n'est ni un CSV ni un classeur XLSX (contenu binaire) : enregistrez-le en CSV "
                      "(UTF-8) ou en XLSX depuis votre tableur"),
    "nul_character": _l("caractère nul (U+0000) : le fichier est endommagé, enregistrez-le à nouveau depuis votre "
                        "tableur"),
    "csv_unreadable": _l("CSV illisible (%(detail)s)"),
    "file_empty": _l("le fichier est vide : une ligne d'en-tête est attendue"),
    "no_data_rows": _l("le fichier a une ligne d'en-tête mais aucune ligne de données"),
    "too_many_rows": _l("plus de %(limit)d lignes de données : découpez le fichier"),
    "row_beyond_sheet": _l("au-delà de la ligne %(limit)d, la dernière d'une feuille de tableur : découpez le fichier"),
    "too_many_columns": _l("%(count)d colonnes, au plus %(limit)d : supprimez les colonnes en trop"),
    "column_missing": _l("colonne obligatoire « %(name)s » absente (en-têtes acceptés : %(headers)s)"),
    "column_repeated": _l("colonne « %(name)s » en double"),
    "key_repeated": _l("même %(key)s qu'à la ligne %(first)d"),
    # Reference data: schools, basins, waves, trainers.
    "already_in_programme": _l("déjà dans le programme"),
    "unknown_basin": _l("bassin inconnu dans ce programme"),
    "unknown_wave": _l("vague inconnue dans ce programme"),
    "basin_repeated": _l("bassin %(basin)s nommé deux fois"),
    "pinned_after_latest": _l("la vague imposée %(pinned)s vient après la vague au plus tard %(latest)s"),
    "ends_before_start": _l("finit avant de commencer (%(start)s)"),
    "position_taken": _l("la vague %(wave)s a déjà la position %(position)d"),
    "starts_before_previous_ends": _l("commence le %(start)s, avant la fin de la vague précédente %(previous)s "
                                      "(%(previous_end)s) : les vagues se suivent dans l'ordre de leur position"),
    "ends_after_next_starts": _l("finit le %(end)s, après le début de la vague suivante %(next)s (%(next_start)s)"),
    "school_has_records": _l("l'avancement ou les usages de cet établissement ont déjà été saisis : "
                             "il ne peut plus être supprimé"),
    "basin_has_schools": _l("%(count)d établissement(s) sont dans ce bassin : rattachez-les à un autre bassin "
                            "avant de le supprimer"),
    "wave_has_schools": _l("%(count)d établissement(s) sont rattachés à cette vague (vague imposée ou vague au plus "
                           "tard : %(schools)s) : modifiez-les avant de supprimer la vague"),
    "wave_in_adopted_plan": _l("le plan adopté « %(plan)s » place %(count)d établissement(s) dans cette vague : "
                               "adoptez un autre plan avant de la supprimer"),
    "deleted_since_preview": _l("supprimé depuis l'aperçu"),
    "renamed_since_preview": _l("renommé depuis l'aperçu (il s'appelait « %(name)s »)"),
    "no_college_in_departments": _l("aucun collège des départements %(departments)s dans ce fichier"),
    # Progress: milestones of schools.
    "unknown_uai": _l("aucun établissement de ce programme n'a cet UAI"),
    "unknown_milestone": _l("jalon inconnu (voir la liste des jalons dans la documentation)"),
    "unknown_status": _l("statut inconnu (non commencé, en cours, terminé ou bloqué)"),
    "unknown_pix_level": _l("niveau Pix+ Édu inconnu (initié, confirmé, avancé, expert)"),
    "date_or_status_expected": _l("date de réalisation ou statut attendu (terminé, en cours, bloqué, non commencé)"),
    "done_without_date": _l("un jalon terminé doit avoir sa date de réalisation"),
    "date_before_programme": _l("date antérieure au début du programme (pas avant le %(earliest)s)"),
    "date_in_future": _l("date dans le futur (aujourd'hui : %(today)s)"),
    "milestone_not_counted": _l("le jalon « %(milestone)s » ne se compte pas"),
    "pix_only_for_certification": _l("les niveaux Pix+ Édu ne vont qu'avec le jalon « Enseignants certifiés Pix+ Édu »"),
    "certified_count_is_a_sum": _l("le nombre de certifiés est la somme des niveaux (%(total)d) : donnez-le par niveau"),
    "certified_count_missing": _l("donnez le nombre d'enseignants certifiés à ce niveau"),
    "certified_count_by_level": _l("le nombre de certifiés se donne par niveau (colonne niveau, ou colonnes pix_initie…)"),
    "more_than_teachers": _l("plus que les %(teachers)d enseignants de l'établissement"),
    "nothing_to_record": _l("la ligne ne donne rien à enregistrer (statut, date, nombre, niveaux ou note)"),
    "milestone_repeated": _l("ce jalon est déjà donné ligne %(first)d"),
    "value_clash": _l("déjà donné ligne %(first)d avec une autre valeur"),
    "both_progress_layouts": _l("une colonne « jalon » ou une colonne par jalon, pas les deux"),
    "no_progress_layout": _l("colonne « jalon » (une ligne par jalon) ou une colonne par jalon (une ligne par "
                             "établissement) attendue"),
    "changed_since_preview": _l("modifié depuis l'aperçu (version %(current)d au lieu de %(expected)d) : relancez l'aperçu"),
    "milestone_changed": _l("Ce jalon a été modifié pendant que vous le modifiiez (version %(current)d, vous partiez de "
                            "la version %(expected)d). Rien n'a été enregistré : vérifiez les valeurs actuelles, puis "
                            "enregistrez à nouveau votre saisie."),
    "milestone_changed_by": _l("Ce jalon a été modifié par %(actor)s le %(day)s à %(time)s UTC pendant que vous le "
                               "modifiiez (version %(current)d, vous partiez de la version %(expected)d). Rien n'a été "
                               "enregistré : vérifiez les valeurs actuelles, puis enregistrez à nouveau votre saisie."),
    # Usage statistics.
    "day_or_month_expected": _l("date attendue (AAAA-MM-JJ, AAAA-MM pour un mois, ou JJ/MM/AAAA)"),
    "period_expected": _l("période attendue : jour, semaine ou mois (day, week, month)"),
    "month_starts_only_a_month": _l("un mois (AAAA-MM) ne peut commencer qu'une période d'un mois"),
    "week_starts_on_monday": _l("une semaine commence un lundi"),
    "month_starts_on_first_day": _l("un mois commence le premier du mois (écrivez AAAA-MM)"),
    "unknown_profile": _l("profil inconnu (attendu : un code SDET comme National_ELV ou National_ENS, ou "
                          "eleve/pupil, enseignant/teacher, parent, personnel/staff)"),
    "more_visitors_than_visits": _l("plus de visiteurs que de visites (%(visits)d)"),
    "usage_key_repeated": _l("même date, UAI, service et profil qu'à la ligne %(first)d"),
    "usage_periods_overlap": _l("du %(start)s au %(end)s : ces jours sont aussi couverts par %(count)d ligne(s) d'une "
                                "autre durée pour le même établissement, service et profil, dont la ligne %(other)d "
                                "(du %(other_start)s au %(other_end)s) ; additionnées, elles compteraient deux fois les "
                                "mêmes visites : gardez une seule durée (jour, semaine ou mois)"),
    "usage_periods_overlap_stored": _l("%(uai)s, %(service)s, %(profile)s, du %(start)s au %(end)s : ces jours sont déjà "
                                       "couverts par %(count)d ligne(s) enregistrée(s) d'une autre durée, dont celle du "
                                       "%(other_start)s au %(other_end)s ; additionnées, elles compteraient deux fois les "
                                       "mêmes visites : importez la durée déjà enregistrée (jour, semaine ou mois)"),
    "school_deleted_since_preview": _l("un établissement de ce fichier a été supprimé depuis l'aperçu : renvoyez le fichier"),
    "kept_preview_outdated": _l("cet aperçu a été fait par une version précédente de l'application : renvoyez le fichier"),
    # Training records: online courses (M@gistère) and Pix+ Édu certifications.
    "unknown_course_status": _l("statut attendu : inscrit, en cours ou terminé (enrolled, in_progress, completed)"),
    "completed_without_date": _l("un parcours terminé doit avoir sa date d'achèvement"),
    "certification_key_repeated": _l("même date, UAI et niveau qu'à la ligne %(first)d"),
    "pix_follows_certifications": _l("les certifiés par niveau découlent des certifications datées de l'établissement : "
                                     "enregistrez-les sur sa page de certifications"),
    "course_export_counts": _l("%(participants)d participants de %(schools)d établissement(s) dans %(courses)d "
                               "parcours. L'export M@gistère est cumulatif : pour chaque parcours qu'il contient, il "
                               "remplace les comptes de l'export précédent."),
    "personal_columns_dropped": _l("Les colonnes nominatives et toute autre colonne que parcours, UAI, statut et date "
                                   "d'achèvement (%(count)d) sont ignorées et ne sont pas conservées : seuls des "
                                   "comptes par établissement et par parcours sont enregistrés."),
    # Notes of a preview: what was read differently from a plain table.
    "header_below_title": _l("en-tête lu à la ligne %(row)d (lignes au-dessus ignorées)"),
    "totals_row_skipped": _l("ligne %(row)d « %(label)s » ignorée : ligne de totaux"),
    "more_totals_rows_skipped": _l("et %(count)d autres lignes de totaux ignorées"),
    "basins_created": _l("%(count)d bassins créés en regroupant les communes voisines (environ %(per_basin)d collèges "
                         "par bassin) : %(codes)s"),
    "private_colleges_skipped": _l("%(count)d collèges privés ignorés"),
    "usage_rows": _l("Du %(first)s au %(last)s, %(rows)d lignes."),
    "unknown_services": _l("Services absents de la taxonomie, comptés en « Autre » jusqu'à ce qu'une direction de "
                           "projet les classe : %(labels)s"),
    # Training sessions (rollout.training.sessions).
    "training_trainer_unknown": _l("aucun formateur de ce code dans le programme"),
    "training_school_unknown": _l("aucun établissement de cet UAI dans le programme"),
    "training_school_required": _l("une séance « %(audience)s » forme un établissement : UAI obligatoire"),
    "training_trainers_no_school": _l("une séance de formation de formateurs ne concerne aucun établissement : laissez l'UAI vide"),
    "training_trainees_not_trainers": _l("seule une séance « trainers » forme des formateurs"),
    "training_attendees_above_teachers": _l("plus de participants que d'enseignants dans l'établissement (%(teachers)d)"),
    "training_held_in_future": _l("une séance réalisée ne peut pas être datée après aujourd'hui (%(today)s)"),
    "training_trained_after_delivering": _l("%(trainer)s serait formé le %(trained)s après avoir animé une séance le "
                                            "%(delivered)s"),
    "training_session_key_repeated": _l("même séance qu'à la ligne %(first)s (clé : %(key)s)"),
    "training_session_key_taken": _l("une autre séance a déjà cette clé (%(key)s)"),
    "training_sessions_rows": _l("%(rows)d séances, du %(first)s au %(last)s."),
    "training_kind_unknown": _l("l'en-tête ne dit pas de quel fichier de formation il s'agit : précisez son type "
                                "(--kind ou kind) parmi %(kinds)s"),
    # Accounts: passwords.
    "password_too_short": _l("au moins %(minimum)d caractères"),
    "password_too_common": _l("ce mot de passe est parmi les plus courants : choisissez-en un autre"),
    "wrong_current_password": _l("ce n'est pas votre mot de passe actuel"),
    # A record changed by someone else.
    "stale_version": _l("%(key)s : quelqu'un d'autre a enregistré une modification depuis l'ouverture de cette fiche "
                        "(version %(expected)d, maintenant %(current)d) : rechargez la fiche et refaites votre modification"),
}


def check_code(code: str) -> None:
    """ValueError unless `code` has a message: a mistyped code fails where the problem is made,
    not later where someone reads it."""
    if code not in MESSAGES:
        raise ValueError(f"no message has the code {code!r} (see rollout/core/messages.py)")


def message(code: str, params: Mapping[str, Any]) -> str:
    """The message of `code` with `params` filled in, in the current language; a decimal is
    written as that language writes it (`3,5` in French, `3.5` in English)."""
    locale = get_locale() or "fr"
    shown = {name: format_decimal(value, format="#,##0.0", locale=locale) if isinstance(value, float) else value
             for name, value in params.items()}
    return str(MESSAGES[code]) % shown


@dataclass(frozen=True)
class Message:
    """A message to show later, in the language of whoever reads it: its code and the values
    it needs (JSON-ready, so that a kept preview can store it)."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_code(self.code)

    def __str__(self) -> str:
        return message(self.code, self.params)
