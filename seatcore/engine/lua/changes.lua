-- changes: the logged changes after a sequence number, with what a caller needs to tell whether
-- the log still reaches back that far. Reads only.
-- KEYS: the showtime's eight keys (see the head above).
-- ARGV: 1 since (a sequence number)
-- Returns {'ok', epoch, seq, oldest logged seq (0 when the log is empty), then seq, changes JSON for
-- each logged change after since} or {'not_loaded'}.

if not loaded() then
  return { 'not_loaded' }
end
local since = tonumber(ARGV[1])
local seq = tonumber(redis.call('GET', K_SEQ) or '0')
local out = { 'ok', redis.call('GET', K_EPOCH), int(seq), '0' }
if since >= seq then
  return out
end
local oldest = redis.call('XRANGE', K_LOG, '-', '+', 'COUNT', 1)
if #oldest == 0 then
  return out
end
out[4] = string.match(oldest[1][1], '^(%d+)')
if tonumber(out[4]) > since + 1 then
  return out
end
for _, entry in ipairs(redis.call('XRANGE', K_LOG, int(since + 1) .. '-0', '+')) do
  local fields = {}
  for i = 1, #entry[2], 2 do
    fields[entry[2][i]] = entry[2][i + 1]
  end
  out[#out + 1] = fields.seq
  out[#out + 1] = fields.changes
end
return out
