"""Pages for the installation's admins: the accounts, which they deactivate and reactivate."""
