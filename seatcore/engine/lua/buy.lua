-- buy: turn a live hold's seats into sold seats of an order (only the hold's owner can).
-- KEYS: the showtime's eight keys (see the head above); on one Redis server also 9 the caller's
--       holds (_user.lua), which a bought hold leaves. (On Redis Cluster the engine does that.)
-- ARGV: 1 now ms ('' = server clock), 2 channel, 3 showtime id, 4 hold id, 5 user id, 6 order id,
--       7 tombstone ms (how long the bought hold still answers for itself)
-- Returns {'ok', seat...} (again, without a change, when the same order bought it before) or one of
-- not_loaded, not_found, hold_not_owned, hold_used (bought by another order), showtime_cancelled
-- (close.lua ran: a payment that lands now buys nothing and is refunded), hold_expired.

if not loaded() then
  return { 'not_loaded' }
end
local now = clock(ARGV[1])
local channel, showtime_id, hold_id, user = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local order, tombstone = ARGV[6], tonumber(ARGV[7])
local h = parse_hold(redis.call('HGET', K_HOLDS, hold_id))
if not h then
  return { 'not_found' }
end
if h.user ~= user then
  return { 'hold_not_owned' }
end
local out = { 'ok' }
for _, seat in ipairs(h.seats) do
  out[#out + 1] = seat
end
if h.st == 'sold' then
  if h.order == order then
    if #KEYS > 8 then
      redis.call('ZREM', KEYS[9], hold_id)
    end
    return out
  end
  return { 'hold_used' }
end
if redis.call('HEXISTS', K_META, 'cancelled') == 1 then
  return { 'showtime_cancelled' }
end
if h.st ~= 'live' or h.exp <= now then
  return { 'hold_expired' }
end
local changes = {}
for _, seat in ipairs(h.seats) do
  redis.call('HSET', K_SEATS, seat, 's:' .. order)
  changes[#changes + 1] = { seat = seat, state = 'sold' }
end
h.st, h.order = 'sold', order
save_hold(hold_id, h)
redis.call('ZADD', K_EXPIRY, int(now + tombstone), hold_id)
forget_user_hold(user, hold_id)
if #KEYS > 8 then
  redis.call('ZREM', KEYS[9], hold_id)
end
record(changes, channel, showtime_id)
keep_until_gone()
return out
