"""Benchmarks (issue 9): throughput, API efficiency, memory. Run ``python -m tests.benchmarks``."""
