"""A programme's trainers: records (domain functions), import table, forms and pages."""
