"""seatcore: the seat-booking core for cinemas."""

__version__ = "0.1.0"
