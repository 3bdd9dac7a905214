"""Dagster: the warehouse's nightly load as assets, checks, a sensor and a schedule.

The single entry point is `orchestration/definitions.py`.
"""
