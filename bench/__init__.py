"""Benchmarks (not run by CI): `make bench` prints a table."""
