"""Building blocks shared by every source: contracts, CSV reading, values, validation."""

import os

from sources._common.deferred import defer

# Before any of our modules imports Great Expectations (all of them live under sources/).
defer()

# Before numpy loads (pyarrow and Great Expectations import it): OpenBLAS starts a thread
# per core at numpy's import, and they spin for ~0.1 CPU-s though nothing of ours
# multiplies matrices (`import numpy` 0.15-0.18 user-s against 0.06). On this 2-core
# machine that is a core an ingest's parse and GX's import share: 4.87 → 4.60 s for the
# 947,274-line probe month, 5 alternating pairs of whole processes (2026-12-07).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
