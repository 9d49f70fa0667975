"""Load tests and benchmarks (README.md says how to run them)."""
