-- close: the showtime is cancelled. Its state says so for good ('cancelled' in meta, which buy and
-- hold read, so no payment can buy seats and no new hold is made from now on), and every live hold
-- ends as if it had expired: its seats are freed at once and every seat map sees it. Sold seats
-- stay sold until their orders are refunded. Running it again changes nothing.
-- KEYS: the showtime's eight keys (see the head above).
-- ARGV: 1 now ms ('' = server clock), 2 channel, 3 showtime id, 4 tombstone ms, 5 gone (ms): how
--       long the mark lasts when the showtime is not loaded (load keeps it)
-- Returns {'ok', ended hold...}; {'not_loaded'} when the state is not in Redis (the mark is set
-- all the same, and a later load keeps it).

local now = clock(ARGV[1])
local channel, showtime_id, tombstone = ARGV[2], ARGV[3], tonumber(ARGV[4])
if not loaded() then
  redis.call('HSET', K_META, 'cancelled', 1)
  if redis.call('PTTL', K_META) < 0 then
    redis.call('PEXPIREAT', K_META, math.max(tonumber(ARGV[5]), now + 3600000))
  end
  return { 'not_loaded' }
end
redis.call('HSET', K_META, 'cancelled', 1)
local live = redis.call('HGETALL', K_HOLDS)
local changes, ended = {}, {}
for i = 1, #live, 2 do
  local hold_id, h = live[i], parse_hold(live[i + 1])
  if h and h.st == 'live' then
    free_seats(hold_id, h, changes)
    forget_user_hold(h.user, hold_id)
    h.st = 'expired'
    save_hold(hold_id, h)
    redis.call('ZADD', K_EXPIRY, int(now + tombstone), hold_id)
    ended[#ended + 1] = hold_id
  end
end
if #changes > 0 then
  record(changes, channel, showtime_id)
end
keep_until_gone()
local out = { 'ok' }
for _, hold_id in ipairs(ended) do
  out[#out + 1] = hold_id
end
return out
