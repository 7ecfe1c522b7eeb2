"""Usage statistics: profiles, taxonomy, import and reports (shared/contracts/usage.md)."""
