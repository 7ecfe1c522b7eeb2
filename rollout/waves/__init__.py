"""A programme's waves: records (domain functions), import table, forms and pages."""
