"""Each dashboard's builder, one module per dashboard: its queries' plain data drawn by its figures, for `dashboards.views`."""
