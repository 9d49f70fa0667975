-- user_hold: count a new hold against the moviegoer's hold rate and cap of live holds over all
-- showtimes. A user's holds span showtimes, hence cluster slots, so this runs as its own atomic
-- step (on the user's own hash tag) before the showtime's hold script; the engine takes the entry
-- back when that script refuses.
-- KEYS: 1 the user's holds (sorted set "SHOWTIME-HOLD" -> expiry ms, keys.user_holds),
--       2 the user's hold counter for this rate window (keys.hold_rate)
-- ARGV: 1 now ms ('' = server clock), 2 member, 3 hold ttl ms, 4 cap, 5 key lifetime ms,
--       6 holds allowed per window (0 = no limit), 7 window seconds
-- Returns {'ok'}, {'rate_limited', window seconds} or {'hold_limit', live holds}. A refused call
-- still counts against the rate, as any request does.

local now
if ARGV[1] ~= '' then
  now = tonumber(ARGV[1])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local per_window, window = tonumber(ARGV[6]), tonumber(ARGV[7])
if per_window > 0 then
  local count = redis.call('INCR', KEYS[2])
  if count == 1 then
    redis.call('EXPIRE', KEYS[2], 2 * window)
  end
  if count > per_window then
    return { 'rate_limited', window }
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now))
local live = redis.call('ZCARD', KEYS[1])
if live >= tonumber(ARGV[4]) then
  return { 'hold_limit', live }
end
redis.call('ZADD', KEYS[1], string.format('%d', now + tonumber(ARGV[3])), ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return { 'ok' }
