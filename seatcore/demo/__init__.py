"""Demo data: a small cinema chain with films, posters, halls of several shapes and a week of showtimes.

``seatcore seed-demo`` (seatcore.demo.seed) writes it; the films are fictional.
"""
