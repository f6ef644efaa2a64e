"""Benchmarks, run with ``make bench``; they report numbers, they do not pass or fail."""
