"""The waiting room's Lua scripts. Every key is one room's (hash tag ``{wr:ID}``), named in
seatcore.waitingroom.room; each script is one atomic step, so a fan has one place however many
devices join at once and the cap holds however many processes admit at once."""

from __future__ import annotations

# KEYS[1] config, KEYS[2] line, KEYS[3] arrivals, KEYS[4] seen, KEYS[5] shopping, KEYS[6] state;
# ARGV[1] now ms, ARGV[2] user, ARGV[3] a random score in [0, 1) for an early arrival.
# Answers {-1} (no room), {1, window end ms} (shopping) or {0, number, served} (in line).
JOIN = """
local cfg = redis.call('HMGET', KEYS[1], 'opens_at_ms', 'grace_s')
if not cfg[1] then return {-1} end
local now, user = tonumber(ARGV[1]), ARGV[2]
local opens, grace_ms = tonumber(cfg[1]), tonumber(cfg[2]) * 1000
local ends = redis.call('ZSCORE', KEYS[5], user)
if ends and tonumber(ends) > now then
  redis.call('HSET', KEYS[4], user, now)
  return {1, ends}
end
if ends then redis.call('ZREM', KEYS[5], user) end
local score = redis.call('ZSCORE', KEYS[2], user)
if score and now >= opens then
  local seen = tonumber(redis.call('HGET', KEYS[4], user) or '0')
  if now - seen > grace_ms then
    -- Away past the grace period: the place is lost. A marker keeps it in the line, so the
    -- numbers of the fans behind do not move; admission skips it.
    redis.call('ZREM', KEYS[2], user)
    redis.call('ZADD', KEYS[2], score, 'gone:' .. user .. ':' .. score)
    score = false
  end
end
if not score then
  if now >= opens then score = 1 + redis.call('INCR', KEYS[3]) else score = ARGV[3] end
  redis.call('ZADD', KEYS[2], score, user)
end
redis.call('HSET', KEYS[4], user, now)
local served = tonumber(redis.call('HGET', KEYS[6], 'served') or '0')
return {0, served + redis.call('ZRANK', KEYS[2], user), served}
"""

# KEYS[1] config, KEYS[2] line, KEYS[3] seen, KEYS[4] shopping, KEYS[5] state; ARGV[1] now ms,
# ARGV[2] the most places to take off the line in this call. Ends the shopping windows that are
# over, then admits from the front while the rate and the cap allow, skipping fans away past the
# grace period (and markers of lost places). Answers {-1} (no room) or {open 0/1, served,
# shopping, admitted by this call}.
ADVANCE = """
local cfg = redis.call('HMGET', KEYS[1], 'opens_at_ms', 'per_minute', 'cap', 'window_s', 'grace_s')
if not cfg[1] then return {-1} end
local now, steps = tonumber(ARGV[1]), tonumber(ARGV[2])
local opens, per_minute, cap = tonumber(cfg[1]), tonumber(cfg[2]), tonumber(cfg[3])
local window_ms, grace_ms = tonumber(cfg[4]) * 1000, tonumber(cfg[5]) * 1000
local served = tonumber(redis.call('HGET', KEYS[5], 'served') or '0')
if now < opens then return {0, served, redis.call('ZCARD', KEYS[4]), 0} end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
local shopping = redis.call('ZCARD', KEYS[4])
local spent = tonumber(redis.call('HGET', KEYS[5], 'spent') or '0')
local allowance = 0
local room = math.huge
if per_minute > 0 then
  allowance = math.floor((now - opens + 1000) * per_minute / 60000)
  room = allowance - spent
end
if cap > 0 then room = math.min(room, cap - shopping) end
local admitted = 0
while room > 0 and steps > 0 do
  local head = redis.call('ZRANGE', KEYS[2], 0, 0)
  if #head == 0 then break end
  local user = head[1]
  redis.call('ZREM', KEYS[2], user)
  served = served + 1
  steps = steps - 1
  if string.sub(user, 1, 5) ~= 'gone:' then
    local seen = tonumber(redis.call('HGET', KEYS[3], user) or '0')
    if now - seen <= grace_ms then
      redis.call('ZADD', KEYS[4], now + window_ms, user)
      shopping = shopping + 1
      admitted = admitted + 1
      spent = spent + 1
      room = room - 1
    end
  end
end
-- Allowance left unused because the line was empty or the cap full is not kept: slots freed
-- together let fans in at the rate, not in a burst.
if per_minute > 0 and steps > 0 then spent = math.max(spent, allowance) end
redis.call('HSET', KEYS[5], 'served', served, 'spent', spent)
if admitted > 0 then redis.call('HINCRBY', KEYS[5], 'admitted', admitted) end
return {1, served, shopping, admitted}
"""

# KEYS[1] line, KEYS[2] shopping, KEYS[3] seen; ARGV[1] user. The fan leaves: their slot frees
# and their place in line becomes a marker (the numbers behind do not move). Answers 1 if they
# were in line or shopping.
LEAVE = """
local gone = redis.call('ZREM', KEYS[2], ARGV[1])
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('ZADD', KEYS[1], score, 'gone:' .. ARGV[1] .. ':' .. score)
  gone = 1
end
redis.call('HDEL', KEYS[3], ARGV[1])
return gone
"""

# KEYS[1] line, KEYS[2] state; ARGV the users. Answers {served, rank or -1 for each user}, read
# at one moment, so each number (served + rank) is exact.
NUMBERS = """
local out = {tonumber(redis.call('HGET', KEYS[2], 'served') or '0')}
for i = 1, #ARGV do
  out[i + 1] = redis.call('ZRANK', KEYS[1], ARGV[i]) or -1
end
return out
"""
