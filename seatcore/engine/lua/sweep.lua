-- sweep: tidy the holds whose time has come. Expired live holds free their seats (one change for
-- all of them) and stay as tombstones; tombstones past their time are deleted.
-- KEYS: the showtime's eight keys (see the head above).
-- ARGV: 1 now ms ('' = server clock), 2 channel, 3 showtime id, 4 tombstone ms, 5 at most this many
--       holds, 6.. hold ids to report on
-- Returns {'ok', seats freed, then for each reported hold: when it next needs a sweep (ms), or ''
-- when it is gone} or {'not_loaded'}.

if not loaded() then
  return { 'not_loaded' }
end
local now = clock(ARGV[1])
local channel, showtime_id = ARGV[2], ARGV[3]
local tombstone, limit = tonumber(ARGV[4]), tonumber(ARGV[5])
local due = redis.call('ZRANGEBYSCORE', K_EXPIRY, '-inf', int(now), 'LIMIT', 0, limit)
local changes = {}
for _, hold_id in ipairs(due) do
  local h = parse_hold(redis.call('HGET', K_HOLDS, hold_id))
  if not h then
    redis.call('ZREM', K_EXPIRY, hold_id)
  elseif h.st == 'live' and h.exp > now then
    redis.call('ZADD', K_EXPIRY, int(h.exp), hold_id)
  elseif h.st == 'live' then
    free_seats(hold_id, h, changes)
    forget_user_hold(h.user, hold_id)
    h.st = 'expired'
    save_hold(hold_id, h)
    redis.call('ZADD', K_EXPIRY, int(now + tombstone), hold_id)
  else
    redis.call('HDEL', K_HOLDS, hold_id)
    redis.call('ZREM', K_EXPIRY, hold_id)
  end
end
if #changes > 0 then
  record(changes, channel, showtime_id)
end
local out = { 'ok', #changes }
for i = 6, #ARGV do
  out[#out + 1] = redis.call('ZSCORE', K_EXPIRY, ARGV[i]) or ''
end
return out
