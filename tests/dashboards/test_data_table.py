"""A figure's data table is in the page up to a length a reader can use; longer, the page offers
the same rows as the figure's CSV instead of writing tens of thousands of cells."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import render_template_string

from dashboards.cells import cell_text

PARTIAL = '{% with csv_href=csv_href %}{% include "core/_data_table.html" %}{% endwith %}'


def _item(rows: int) -> SimpleNamespace:
    table = SimpleNamespace(columns=["Établissement", "Part"], rows=[[f"Collège {n}", n / 7] for n in range(rows)])
    return SimpleNamespace(title="Part pédagogique", caption="Par établissement", table=table)


def _render(app, rows: int, *, csv_href: str | None, language: str = "fr", printing: bool = False) -> str:
    with app.test_request_context(headers={"Accept-Language": language}):
        return render_template_string(PARTIAL, item=_item(rows), empty="Aucune donnée.", csv_href=csv_href,
                                      cell_text=cell_text, printing=printing)


def test_a_table_a_reader_can_use_is_in_the_page(app) -> None:
    html = _render(app, 500, csv_href="/figure.csv")
    assert html.count("<tr>") == 501 and "Collège 499" in html and "figure.csv" not in html


def test_a_longer_table_is_offered_as_its_csv_and_says_how_long_it_is(app) -> None:
    html = _render(app, 501, csv_href="/figure.csv")
    assert "<table>" not in html and "Collège 0" not in html
    assert "Ce tableau a 501 lignes" in html and 'href="/figure.csv"' in html


def test_printed_it_says_where_the_rows_are_without_a_link(app) -> None:
    html = _render(app, 501, csv_href="/figure.csv", printing=True)
    assert "Ce tableau a 501 lignes" in html and "href" not in html


def test_without_a_csv_the_whole_table_stays(app) -> None:
    assert _render(app, 800, csv_href=None).count("<tr>") == 801


@pytest.mark.parametrize("language, words", [("en", "This table has 501 rows"), ("fr", "Ce tableau a 501 lignes")])
def test_the_note_speaks_the_readers_language(app, language: str, words: str) -> None:
    assert words in _render(app, 501, csv_href="/figure.csv", language=language)
