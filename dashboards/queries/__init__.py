"""The SQL aggregations that feed the dashboards' figures, one module per dashboard, on SQLite
and PostgreSQL alike. They return the plain data of `dashboards.figures`; the pages draw it."""
