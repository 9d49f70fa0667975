-- release: end a live hold at its owner's request and free its seats.
-- KEYS: the showtime's eight keys (see the head above); on one Redis server also 9 the caller's
--       holds (_user.lua), which the hold leaves whatever the answer: another user's hold is not
--       on it, and an ended one no longer counts. (On Redis Cluster the engine does that itself.)
-- ARGV: 1 now ms ('' = server clock), 2 channel, 3 showtime id, 4 hold id, 5 user id
-- Returns {'ok', seat...} or one of not_loaded, not_found, hold_not_owned, hold_used, hold_expired.

if #KEYS > 8 then
  redis.call('ZREM', KEYS[9], ARGV[4])
end
if not loaded() then
  return { 'not_loaded' }
end
local now = clock(ARGV[1])
local channel, showtime_id, hold_id, user = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local h, refused = owned_live_hold(hold_id, user, now)
if not h then
  return { refused }
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
