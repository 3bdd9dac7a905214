"""PostgreSQL serving: the local server, the refresh from the published snapshot, logins."""
