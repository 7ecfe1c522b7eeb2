"""Share links: read-only links to one programme's dashboards, for people without an account."""
