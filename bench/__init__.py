"""Benchmarks: `python -m bench --rows N` (see bench/README.md)."""
