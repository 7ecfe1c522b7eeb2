"""A district's programmes: records (domain functions), forms, pages and the command line."""
