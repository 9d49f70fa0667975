-- unsell: free seats sold by an order (a refund). Seats not sold by that order are left alone,
-- so a repeated call changes nothing.
-- KEYS: the showtime's eight keys (see the head above).
-- ARGV: 1 now ms (unused, for a uniform call), 2 channel, 3 showtime id, 4 order id, 5.. seats
-- Returns {'ok', freed seat...} or {'not_loaded'}.

if not loaded() then
  return { 'not_loaded' }
end
local channel, showtime_id, sold = ARGV[2], ARGV[3], 's:' .. ARGV[4]
local changes, out = {}, { 'ok' }
for i = 5, #ARGV do
  local seat = ARGV[i]
  if redis.call('HGET', K_SEATS, seat) == sold then
    redis.call('HDEL', K_SEATS, seat)
    changes[#changes + 1] = { seat = seat, state = 'free' }
    out[#out + 1] = seat
  end
end
if #changes > 0 then
  record(changes, channel, showtime_id)
end
return out
