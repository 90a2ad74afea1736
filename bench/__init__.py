"""Benchmarks: ``python -m bench``. They measure; they never pass or fail."""
