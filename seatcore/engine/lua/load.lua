-- load: build a showtime's seat state from MySQL's sold seats, unless another process already did.
-- A (re)build starts a new epoch: sequence numbers restart from 0 and clients must resync.
-- KEYS: the showtime's eight keys (see the head above).
-- ARGV: 1 now ms ('' = server clock), 2 epoch token, 3 gone (ms), 4 meta as a JSON list
--       [field, value, ...], 5.. seat, order pairs for the sold seats
-- Returns {'ok', epoch in force, 1 if this call built it else 0}.

if loaded() then
  return { 'ok', redis.call('GET', K_EPOCH), 0 }
end
local now = clock(ARGV[1])
local epoch, gone = ARGV[2], tonumber(ARGV[3])
if gone < now + 3600000 then
  gone = now + 3600000 -- a showtime that has ended still answers for an hour
end
local cancelled = redis.call('HGET', K_META, 'cancelled') -- close.lua's mark outlives a rebuild
redis.call('DEL', K_SEATS, K_HOLDS, K_EXPIRY, K_USERS, K_SEQ, K_LOG, K_EPOCH, K_META)
local meta = cjson.decode(ARGV[4])
for i = 1, #meta, 1000 do
  redis.call('HSET', K_META, unpack(meta, i, math.min(i + 999, #meta)))
end
redis.call('HSET', K_META, 'gone', int(gone))
if cancelled then
  redis.call('HSET', K_META, 'cancelled', cancelled)
end
local sold = {}
for i = 5, #ARGV, 2 do
  sold[#sold + 1] = ARGV[i]
  sold[#sold + 1] = 's:' .. ARGV[i + 1]
  if #sold >= 1000 then
    redis.call('HSET', K_SEATS, unpack(sold))
    sold = {}
  end
end
if #sold > 0 then
  redis.call('HSET', K_SEATS, unpack(sold))
end
redis.call('SET', K_SEQ, 0)
redis.call('SET', K_EPOCH, epoch)
keep_until_gone()
return { 'ok', epoch, 1 }
