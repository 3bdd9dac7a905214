"""Assets: one per source (ingest), the dbt models, and the published snapshot."""
