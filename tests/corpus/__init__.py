"""The hardening corpus of issue 12: one delivered file per class of bad (or awkward but
valid) input, made from the city's reference exports (see `build.py`)."""
