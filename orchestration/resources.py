"""Dagster resources: where the warehouse lives."""

import dagster as dg

from tertial.settings import Paths, paths


class TertialHome(dg.ConfigurableResource):
    """The `TERTIAL_HOME` the assets read and write (default: the environment's)."""

    home: str | None = None

    def paths(self) -> Paths:
        return paths(self.home).ensure()
