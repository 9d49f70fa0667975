"""The staff fixtures (accounts of each kind, two cinemas) reused for the catalogue pages' API."""

from tests.staff.conftest import runtime, staff_headers, two

__all__ = ["runtime", "staff_headers", "two"]
