-- Shared head of every showtime script (scripts.py puts it, after _clock.lua, in front of each one).
--
-- KEYS of one showtime, all under its hash tag {show:ID}, in keys.SHOW_KEY_PARTS order:
--   1 seats   hash SEAT -> "h:HOLD" (held) or "s:ORDER" (sold); a free seat has no field
--   2 holds   hash HOLD -> "STATUS|USER|EXPIRES_MS|MAX_EXPIRES_MS|SEAT,SEAT,...|ORDER"
--             STATUS is live, expired (swept, kept as a tombstone) or sold (bought by ORDER)
--   3 expiry  sorted set HOLD -> when the hold next needs the sweeper (ms): its expiry while it is
--             live, the end of its tombstone once it has ended
--   4 users   hash USER -> HOLD, the user's latest hold here
--   5 seq     the showtime's sequence number: one INCR per change
--   6 log     stream of changes, entry id SEQ-0, fields seq and changes (JSON), capped ~5000
--   7 epoch   random token set when the state was (re)built from MySQL
--   8 meta    hash: the layout as the scripts read it (cols, rows, nb, b:BLOCK as JSON, s:SEAT ->
--             BLOCK) and gone (ms: when the showtime's keys may vanish)
-- A seat is held only while its hold's record says live and its expiry is still ahead: expiry is
-- data, so an expired hold is free to every script at once, swept or not.

local K_SEATS, K_HOLDS, K_EXPIRY, K_USERS = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local K_SEQ, K_LOG, K_EPOCH, K_META = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local LOG_MAXLEN = 5000

local function loaded()
  return redis.call('EXISTS', K_EPOCH, K_META) == 2
end

local function parse_hold(text)
  if not text then
    return nil
  end
  local st, user, exp, max, seats, order = string.match(text, '^(%a+)|(%d+)|(%d+)|(%d+)|([^|]*)|(.*)$')
  local list = {}
  for seat in string.gmatch(seats, '[^,]+') do
    list[#list + 1] = seat
  end
  return { st = st, user = user, exp = tonumber(exp), max = tonumber(max), seats = list, order = order }
end

local function save_hold(id, h)
  local text = h.st .. '|' .. h.user .. '|' .. int(h.exp) .. '|' .. int(h.max) .. '|'
    .. table.concat(h.seats, ',') .. '|' .. h.order
  redis.call('HSET', K_HOLDS, id, text)
end

-- The hold's record when it is live at now, else false (memoised in cache for one script run).
local function live_hold(id, now, cache)
  local known = cache[id]
  if known ~= nil then
    return known
  end
  local h = parse_hold(redis.call('HGET', K_HOLDS, id))
  if not h or h.st ~= 'live' or h.exp <= now then
    h = false
  end
  cache[id] = h
  return h
end

-- The caller's live hold, or nil and why not: not_found, hold_not_owned, hold_used, hold_expired.
local function owned_live_hold(id, user, now)
  local h = parse_hold(redis.call('HGET', K_HOLDS, id))
  if not h then
    return nil, 'not_found'
  end
  if h.user ~= user then
    return nil, 'hold_not_owned'
  end
  if h.st == 'sold' then
    return nil, 'hold_used'
  end
  if h.st ~= 'live' or h.exp <= now then
    return nil, 'hold_expired'
  end
  return h
end

-- 'free', 'held' (and the hold id) or 'sold', from a seats field value.
local function seat_state(value, now, cache)
  if not value then
    return 'free'
  end
  if string.sub(value, 1, 2) == 's:' then
    return 'sold'
  end
  local id = string.sub(value, 3)
  if live_hold(id, now, cache) then
    return 'held', id
  end
  return 'free'
end

-- Free the seats that still belong to hold id; returns the change objects.
local function free_seats(id, h, changes)
  if #h.seats == 0 then
    return changes
  end
  local values = redis.call('HMGET', K_SEATS, unpack(h.seats))
  for i, seat in ipairs(h.seats) do
    if values[i] == 'h:' .. id then
      redis.call('HDEL', K_SEATS, seat)
      changes[#changes + 1] = { seat = seat, state = 'free' }
    end
  end
  return changes
end

local function forget_user_hold(user, id)
  if redis.call('HGET', K_USERS, user) == id then
    redis.call('HDEL', K_USERS, user)
  end
end

-- One change = the next sequence number, one log entry and one publication. A channel named in the
-- showtime's hash tag is a shard channel (Redis 7 Cluster, keys.seat_changes): SPUBLISH keeps the
-- publication on the showtime's own shard instead of sending it to every node.
local function record(changes, channel, showtime_id)
  local seq = redis.call('INCR', K_SEQ)
  local body = #changes > 0 and cjson.encode(changes) or '[]' -- cjson writes {} for an empty table
  redis.call('XADD', K_LOG, 'MAXLEN', '~', LOG_MAXLEN, int(seq) .. '-0', 'seq', int(seq), 'changes', body)
  local epoch = redis.call('GET', K_EPOCH)
  local publish = string.find(channel, '{', 1, true) and 'SPUBLISH' or 'PUBLISH'
  redis.call(publish, channel, '{"showtime_id":' .. showtime_id .. ',"seq":' .. int(seq)
    .. ',"epoch":' .. cjson.encode(epoch) .. ',"changes":' .. body .. '}')
  return seq
end

-- Keys made by a change (log, holds...) live as long as the showtime's other keys.
local function keep_until_gone()
  local gone = redis.call('HGET', K_META, 'gone')
  for i = 1, 8 do
    redis.call('PEXPIREAT', KEYS[i], gone)
  end
end

local function block(cache, index)
  local b = cache[index]
  if not b then
    b = cjson.decode(redis.call('HGET', K_META, 'b:' .. index))
    b.pos = {}
    for p, id in ipairs(b.id) do
      b.pos[id] = p
    end
    cache[index] = b
  end
  return b
end

-- Seats of block b that the selection (chosen[p] true) would strand; taken[p] says p is taken now.
local function stranded_in(b, taken, chosen, out)
  local last = #b.id
  for p = 1, last do
    if not (taken[p] or chosen[p]) and string.sub(b.t, p, p) ~= 'w' then
      local left_closed = p == 1 or taken[p - 1] or chosen[p - 1]
      local right_closed = p == last or taken[p + 1] or chosen[p + 1]
      if left_closed and right_closed and ((p > 1 and chosen[p - 1]) or (p < last and chosen[p + 1])) then
        out[#out + 1] = b.id[p]
      end
    end
  end
  return out
end

local function block_taken(b, now, cache)
  local values = redis.call('HMGET', K_SEATS, unpack(b.id))
  local taken = {}
  for p = 1, #b.id do
    taken[p] = seat_state(values[p], now, cache) ~= 'free'
  end
  return taken
end
