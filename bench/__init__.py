"""The city-scale benchmark (issue 7): `python -m bench.run`, `make bench-small`."""
