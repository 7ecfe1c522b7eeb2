"""A programme's basins: records (domain functions), import table, forms and pages."""
