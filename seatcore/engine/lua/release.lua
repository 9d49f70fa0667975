-- release: end a live hold at its owner's request and free its seats.
-- KEYS: the showtime's eight keys (see the head above).
-- ARGV: 1 now ms ('' = server clock), 2 channel, 3 showtime id, 4 hold id, 5 user id
-- Returns {'ok', seat...} or one of not_loaded, not_found, hold_not_owned, hold_used, hold_expired.

if not loaded() then
  return { 'not_loaded' }
end
local now = clock(ARGV[1])
local channel, showtime_id, hold_id, user = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local h = parse_hold(redis.call('HGET', K_HOLDS, hold_id))
if not h then
  return { 'not_found' }
end
if h.user ~= user then
  return { 'hold_not_owned' }
end
if h.st == 'sold' then
  return { 'hold_used' }
end
if h.st ~= 'live' or h.exp <= now then
  return { 'hold_expired' }
end
local changes = free_seats(hold_id, h, {})
redis.call('HDEL', K_HOLDS, hold_id)
redis.call('ZREM', K_EXPIRY, hold_id)
forget_user_hold(user, hold_id)
if #changes > 0 then
  record(changes, channel, showtime_id)
end
local out = { 'ok' }
for _, seat in ipairs(h.seats) do
  out[#out + 1] = seat
end
return out
