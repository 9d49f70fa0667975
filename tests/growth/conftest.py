"""Growth fixtures: the staff accounts of the staff tests (experiments are staff-defined)."""

from tests.staff.conftest import runtime, staff_headers  # noqa: F401  (fixtures used here too)
