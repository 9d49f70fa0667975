"""Members, points and coupons around the order: pricing inputs, reservations, settling."""
