-- extend: push a live hold's expiry back by one extension, never past its hard maximum.
-- KEYS: the showtime's eight keys (see the head above).
-- ARGV: 1 now ms ('' = server clock), 2 hold id, 3 user id, 4 extension ms
-- Returns {'ok', expires ms, max expires ms} or one of not_loaded, not_found, hold_not_owned,
-- hold_used, hold_expired, extend_limit (max expires ms). Seats do not change: no sequence number.

if not loaded() then
  return { 'not_loaded' }
end
local now = clock(ARGV[1])
local hold_id, user, extension = ARGV[2], ARGV[3], tonumber(ARGV[4])
local h, refused = owned_live_hold(hold_id, user, now)
if not h then
  return { refused }
end
local expires = math.min(h.exp + extension, h.max)
if expires <= h.exp then
  return { 'extend_limit', int(h.max) }
end
h.exp = expires
save_hold(hold_id, h)
redis.call('ZADD', K_EXPIRY, int(expires), hold_id)
return { 'ok', int(expires), int(h.max) }
