-- hold: take seats for a new hold, all or none, checking every seat rule against the live state.
-- KEYS: the showtime's eight keys (see the head above); on one Redis server also 9 the user's
--       holds, 10 the user's rate counter (see _user.lua) and 11 the sweeper's index
--       (keys.HOLD_SWEEP_INDEX), so that the user's rate and cap are checked in the same step. On
--       Redis Cluster those are in other slots: the engine passes eight keys and runs
--       user_hold.lua first.
-- ARGV: 1 now ms ('' = server clock), 2 channel, 3 showtime id, 4 new hold id, 5 user id,
--       6 ttl ms, 7 max life ms, 8 max seats, 9 sales close (ms), 10 accessible (1 or 0),
--       11 best N (0 when seats are named), 12 zone for best ('' = any), 13 the user's cap of live
--       holds, 14 holds allowed per rate window (0 = no limit), 15 window seconds (13-15 are read
--       only with the user's keys), 16.. the seats named
-- Returns {'ok', expires ms, max expires ms, seat...} or {code, detail...}, the first rule that
-- fails in this order: not_loaded, rate_limited (window s), hold_cap (live holds), sales_closed,
-- too_many_seats (max), not_found (unknown seats), wheelchair_space (seats), couple_pair (seats),
-- hold_limit (the live hold), seat_unavailable (seats), stranded_seat (stranded seats), no_block.

if not loaded() then
  return { 'not_loaded' }
end
local now = clock(ARGV[1])
local channel, showtime_id, hold_id, user = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local ttl, life, max_seats = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local close, accessible = tonumber(ARGV[9]), ARGV[10] == '1'
local best_n, zone = tonumber(ARGV[11]), ARGV[12]
local asked = {}
for i = 16, #ARGV do
  asked[#asked + 1] = ARGV[i]
end
local with_user = #KEYS > 8
if with_user then
  local refused = count_user_hold(KEYS[9], KEYS[10], now, tonumber(ARGV[13]), tonumber(ARGV[14]), tonumber(ARGV[15]))
  if refused then
    return refused
  end
end

-- The cancelled mark (close.lua) counts at once, before this process re-reads the showtime.
if now >= close or redis.call('HEXISTS', K_META, 'cancelled') == 1 then
  return { 'sales_closed' }
end
local count = best_n > 0 and best_n or #asked
if count > max_seats then
  return { 'too_many_seats', max_seats }
end

local holds, blocks = {}, {}
local where
if best_n == 0 then
  local fields = {}
  for i, seat in ipairs(asked) do
    fields[i] = 's:' .. seat
  end
  where = redis.call('HMGET', K_META, unpack(fields))
  local problems = {}
  for i, seat in ipairs(asked) do
    if not where[i] then
      problems[#problems + 1] = seat
    end
  end
  if #problems > 0 then
    return { 'not_found', unpack(problems) }
  end
  local chosen = {}
  for _, seat in ipairs(asked) do
    chosen[seat] = true
  end
  local wheelchair, unpaired = {}, {}
  for i, seat in ipairs(asked) do
    local b = block(blocks, tonumber(where[i]))
    local p = b.pos[seat]
    if string.sub(b.t, p, p) == 'w' and not accessible then
      wheelchair[#wheelchair + 1] = seat
    end
    if b.p[p] ~= 0 and not chosen[b.id[p + b.p[p]]] then
      unpaired[#unpaired + 1] = seat
    end
  end
  if #wheelchair > 0 then
    return { 'wheelchair_space', unpack(wheelchair) }
  end
  if #unpaired > 0 then
    return { 'couple_pair', unpack(unpaired) }
  end
end

local previous = redis.call('HGET', K_USERS, user)
if previous and live_hold(previous, now, holds) then
  return { 'hold_limit', previous }
end

if best_n == 0 then
  local values = redis.call('HMGET', K_SEATS, unpack(asked))
  local unavailable = {}
  for i, seat in ipairs(asked) do
    if seat_state(values[i], now, holds) ~= 'free' then
      unavailable[#unavailable + 1] = seat
    end
  end
  if #unavailable > 0 then
    return { 'seat_unavailable', unpack(unavailable) }
  end
  local touched, order = {}, {}
  for i = 1, #asked do
    local index = tonumber(where[i])
    if not touched[index] then
      touched[index] = true
      order[#order + 1] = index
    end
  end
  table.sort(order)
  local stranded = {}
  for _, index in ipairs(order) do
    local b = block(blocks, index)
    local chosen = {}
    for _, seat in ipairs(asked) do
      if b.pos[seat] then
        chosen[b.pos[seat]] = true
      end
    end
    stranded_in(b, block_taken(b, now, holds), chosen, stranded)
  end
  if #stranded > 0 then
    return { 'stranded_seat', unpack(stranded) }
  end
else
  local all = redis.call('HGETALL', K_SEATS)
  local taken_ids = {}
  for i = 1, #all, 2 do
    if seat_state(all[i + 1], now, holds) ~= 'free' then
      taken_ids[all[i]] = true
    end
  end
  local layout = redis.call('HMGET', K_META, 'cols', 'rows', 'nb')
  local cols, rows, nb = tonumber(layout[1]), tonumber(layout[2]), tonumber(layout[3])
  local sweet = math.floor((2 * (rows - 1) + 1) / 3)
  local best, best_score, best_first
  for index = 1, nb do
    local b = block(blocks, index)
    local last = #b.id
    local taken
    for first = 1, last - count + 1 do
      local final = first + count - 1
      local score = 4 * math.abs(b.r - sweet) + math.abs(b.c[first] + b.c[final] - (cols - 1))
      if not best or score < best_score then
        if not taken then
          taken = {}
          for p = 1, last do
            taken[p] = taken_ids[b.id[p]] or false
          end
        end
        local fits, wheelchair, chosen = true, false, {}
        for p = first, final do
          chosen[p] = true
          local partner = p + b.p[p]
          if taken[p] or (zone ~= '' and b.z[p] ~= zone) or partner < first or partner > final then
            fits = false
          end
          if string.sub(b.t, p, p) == 'w' then
            wheelchair = true
          end
        end
        if fits and wheelchair == accessible and #stranded_in(b, taken, chosen, {}) == 0 then
          best, best_score, best_first = b, score, first
        end
      end
    end
  end
  if not best then
    return { 'no_block' }
  end
  for p = best_first, best_first + count - 1 do
    asked[#asked + 1] = best.id[p]
  end
end

local expires, max_expires = now + ttl, now + life
local changes = {}
for _, seat in ipairs(asked) do
  redis.call('HSET', K_SEATS, seat, 'h:' .. hold_id)
  changes[#changes + 1] = { seat = seat, state = 'held', hold_id = hold_id, user = user }
end
save_hold(hold_id, { st = 'live', user = user, exp = expires, max = max_expires, seats = asked, order = '' })
redis.call('ZADD', K_EXPIRY, int(expires), hold_id)
redis.call('HSET', K_USERS, user, hold_id)
if with_user then
  add_user_hold(KEYS[9], hold_id, expires, life)
  redis.call('ZADD', KEYS[11], int(expires), hold_id)
end
record(changes, channel, showtime_id)
keep_until_gone()
local out = { 'ok', int(expires), int(max_expires) }
for _, seat in ipairs(asked) do
  out[#out + 1] = seat
end
return out
