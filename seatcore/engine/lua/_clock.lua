-- Shared head of every script: numbers as Redis wants them, and the clock.

local function int(n)
  return string.format('%d', n)
end

-- The caller's clock when it passes one (tests), else the server's: one clock for every process.
local function clock(arg)
  if arg ~= '' then
    return tonumber(arg)
  end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
