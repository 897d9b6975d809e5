"""Benchmarks run beside their peers on the same inputs; `python bench/report.py` turns the JSON
written by `pytest bench --benchmark-json=bench/latest.json` into bench/RESULTS.md with ratios."""
