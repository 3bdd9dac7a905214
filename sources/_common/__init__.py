"""Building blocks shared by every source: contracts, CSV reading, values, validation."""

from sources._common.deferred import defer

# Before any of our modules imports Great Expectations (all of them live under sources/).
defer()
