-- relayout: give a loaded showtime its hall's new layout (staff edited it), keeping every hold
-- and sale on seats that are still there. A live hold with a seat that is gone ends as if it had
-- expired (its other seats are freed, it stays as a tombstone). A new epoch starts, so every
-- seat map resyncs and reads the new layout; the change (maybe of no seat) is recorded and
-- published under it at once.
-- KEYS: the showtime's eight keys (see the head above).
-- ARGV: 1 now ms ('' = server clock), 2 channel, 3 showtime id, 4 new epoch, 5 meta as a JSON
--       list [field, value, ...] (loader.layout_meta), 6 tombstone ms
-- Returns {'ok', epoch, ended hold...} or {'not_loaded'} (nothing to do: the next use loads it).

if not loaded() then
  return { 'not_loaded' }
end
local now = clock(ARGV[1])
local channel, showtime_id, epoch = ARGV[2], ARGV[3], ARGV[4]
local tombstone = tonumber(ARGV[6])
local gone = redis.call('HGET', K_META, 'gone')
local cancelled = redis.call('HGET', K_META, 'cancelled')
redis.call('DEL', K_META)
local meta = cjson.decode(ARGV[5])
for i = 1, #meta, 1000 do
  redis.call('HSET', K_META, unpack(meta, i, math.min(i + 999, #meta)))
end
redis.call('HSET', K_META, 'gone', gone)
if cancelled then
  redis.call('HSET', K_META, 'cancelled', cancelled)
end

local taken = redis.call('HGETALL', K_SEATS)
local ending, ended = {}, {}
for i = 1, #taken, 2 do
  local value = taken[i + 1]
  if string.sub(value, 1, 2) == 'h:' and redis.call('HEXISTS', K_META, 's:' .. taken[i]) == 0 then
    local hold_id = string.sub(value, 3)
    if not ending[hold_id] then
      ending[hold_id] = true
      ended[#ended + 1] = hold_id
    end
  end
end
local changes = {}
for _, hold_id in ipairs(ended) do
  local h = parse_hold(redis.call('HGET', K_HOLDS, hold_id))
  if h then
    free_seats(hold_id, h, changes)
    forget_user_hold(h.user, hold_id)
    if h.st == 'live' then
      h.st = 'expired'
      save_hold(hold_id, h)
      redis.call('ZADD', K_EXPIRY, int(now + tombstone), hold_id)
    end
  end
end
redis.call('SET', K_EPOCH, epoch)
record(changes, channel, showtime_id)
keep_until_gone()
local out = { 'ok', epoch }
for _, hold_id in ipairs(ended) do
  out[#out + 1] = hold_id
end
return out
