-- user_hold: count a new hold against the moviegoer's hold rate and cap (the head _user.lua), as
-- its own atomic step. Used only on Redis Cluster, where a user's keys and a showtime's are in
-- different slots; on one Redis server hold.lua does this itself. The engine runs it before the
-- showtime's hold script and takes the entry back when that script refuses.
-- KEYS: 1 the user's holds, 2 the user's hold counter for this rate window
-- ARGV: 1 now ms ('' = server clock), 2 hold id, 3 hold ttl ms, 4 cap, 5 key lifetime ms,
--       6 holds allowed per window (0 = no limit), 7 window seconds
-- Returns {'ok'}, {'rate_limited', window seconds} or {'hold_cap', live holds}.

local now = clock(ARGV[1])
local refused = count_user_hold(KEYS[1], KEYS[2], now, tonumber(ARGV[4]), tonumber(ARGV[6]), tonumber(ARGV[7]))
if refused then
  return refused
end
add_user_hold(KEYS[1], ARGV[2], now + tonumber(ARGV[3]), ARGV[5])
return { 'ok' }
