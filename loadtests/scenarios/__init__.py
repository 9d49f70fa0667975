"""Locust scenarios: browse, rush (the premiere rush), watchers and mixed_day (README.md beside
loadtests/ describes each and its options). Run them with ``python -m loadtests.run SCENARIO``."""
