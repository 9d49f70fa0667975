-- Shared by user_hold.lua and hold.lua: a moviegoer's hold rate and cap of live holds over all
-- showtimes, on the user's own keys (hash tag {user:ID}):
--   holds  sorted set HOLD -> expiry ms, the user's live holds (keys.user_holds)
--   rate   the user's hold counter for this rate window (keys.hold_rate)

-- Count a hold request against the rate (a refused request counts too, as any request does) and
-- check the cap. Returns nil, {'rate_limited', window seconds} or {'hold_cap', live holds}.
local function count_user_hold(k_holds, k_rate, now, cap, per_window, window_s)
  if per_window > 0 then
    local count = redis.call('INCR', k_rate)
    if count == 1 then
      redis.call('EXPIRE', k_rate, 2 * window_s)
    end
    if count > per_window then
      return { 'rate_limited', window_s }
    end
  end
  redis.call('ZREMRANGEBYSCORE', k_holds, '-inf', int(now))
  local live = redis.call('ZCARD', k_holds)
  if live >= cap then
    return { 'hold_cap', live }
  end
  return nil
end

-- Put a hold on the user's count until it expires; the key outlives the longest hold.
local function add_user_hold(k_holds, hold_id, expires, life_ms)
  redis.call('ZADD', k_holds, int(expires), hold_id)
  redis.call('PEXPIRE', k_holds, life_ms)
end
