"""A mixed day: browsing, ordinary bookings, a premiere rush and live seat maps, all at once.

Weights (share of the users): browsers 10, day buyers 3 (fans of any showtime on sale today or
tomorrow), premiere fans 2, seat-map watchers 3, seat changers 1, buyers of snacks alone 1. Every
option of the other scenarios applies (``--showtime-id``, ``--watch-showtimes``, the fans' ratios...).
"""

from __future__ import annotations

from loadtests.scenarios import browse, rush, snacks, watchers
from loadtests.scenarios._common import on_sale, premiere_id


class DayBrowser(browse.Browser):
    weight = 10


class DayBuyer(rush.PremiereFan):
    """A fan of whichever showtime on sale today or tomorrow takes their fancy."""

    weight = 3

    def target_showtime(self) -> int:
        shows = on_sale(self) or [premiere_id(self)]
        return self.rng.choice(shows)


class PremiereFan(rush.PremiereFan):
    weight = 2


class Watcher(watchers.SeatMapWatcher):
    weight = 3


class Changer(watchers.SeatChanger):
    weight = 1


class SnackBuyer(snacks.SnackBuyer):
    weight = 1
