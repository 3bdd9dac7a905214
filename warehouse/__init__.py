"""The event store: append, batches, quarantine, build and publish.

The database files themselves live under `TERTIAL_HOME` (git-ignored), never here.
"""
