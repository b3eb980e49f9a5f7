"""Benchmarks and a simulated centre day, run against the real server process (see README)."""
