"""Building blocks shared by every source: contracts, CSV reading, values, validation."""
