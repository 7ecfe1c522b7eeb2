"""SQL constructs the queries share across SQLite and PostgreSQL.

`among(column, values)` is `column IN (values)` for a list that may hold every school of the
country. Written as an ordinary IN it becomes one bound parameter per value: 5,287 placeholders
that SQLAlchemy renders and psycopg scans on every execution (a second of a dashboard's time at
the country's size, for a handful of such queries). On PostgreSQL it is `column = ANY(%s)` with
the list as one array parameter; elsewhere an ordinary IN, which SQLite handles without that cost.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class among(FunctionElement):  # noqa: N801 - reads as the operator it stands for
    """`column IN (values)`, one array parameter on PostgreSQL (see the module docstring)."""

    type = sa.Boolean()
    name = "among"
    _is_implicitly_boolean = True
    """A comparison, as IN is: SQLite must not be asked `(… IN …) = 1`."""
    inherit_cache = False
    """The values are not a bound parameter SQLAlchemy's statement cache knows how to extract."""

    def __init__(self, column: Any, values: Iterable[Any]) -> None:
        self.values = list(values)
        super().__init__(column)

    @property
    def column(self) -> Any:
        return next(iter(self.clauses))


@compiles(among)
def _among_in(element: among, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column.in_(element.values), **kw)


@compiles(among, "postgresql")
def _among_any(element: among, compiler: Any, **kw: Any) -> str:
    array = sa.bindparam(None, element.values, type_=ARRAY(element.column.type))
    return compiler.process(element.column == sa.any_(array), **kw)
