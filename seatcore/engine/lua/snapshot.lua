-- snapshot: the showtime's seats as they are now, with the sequence number they are at.
-- Reads only. KEYS: the showtime's eight keys (see the head above).
-- ARGV: 1 now ms ('' = server clock), 2 user id ('' = anonymous)
-- Returns {'ok', seq, epoch, my hold id or '', its expires ms, its max expires ms, its seats (comma
-- separated), then seat, state, hold id ('' unless held) for every seat not free} or {'not_loaded'}.

if not loaded() then
  return { 'not_loaded' }
end
local now = clock(ARGV[1])
local user = ARGV[2]
local holds = {}
local out = { 'ok', redis.call('GET', K_SEQ) or '0', redis.call('GET', K_EPOCH), '', '0', '0', '' }
if user ~= '' then
  local mine = redis.call('HGET', K_USERS, user)
  local h = mine and live_hold(mine, now, holds)
  if h then
    out[4], out[5], out[6], out[7] = mine, int(h.exp), int(h.max), table.concat(h.seats, ',')
  end
end
local all = redis.call('HGETALL', K_SEATS)
for i = 1, #all, 2 do
  local state, holder = seat_state(all[i + 1], now, holds)
  if state ~= 'free' then
    out[#out + 1] = all[i]
    out[#out + 1] = state
    out[#out + 1] = holder or ''
  end
end
return out
