"""Distances on the Earth for "cinemas near me": great-circle (haversine) metres between points
given in WGS-84 degrees, as wx.getLocation and the cinemas' rows give them."""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG)


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> int:
    """Metres along the great circle between two points, rounded to the metre."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return round(2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a))))
