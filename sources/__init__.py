"""One package per source of the city, each with the same files.

`contract.py` (columns, types, file names, supersession key), `parser.py` (bytes →
typed Polars frame) and `expectations.py` (the Great Expectations suite run on the
parsed batch before it may enter the event log). `registry.py` finds the source of a file.
"""
