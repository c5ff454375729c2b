-- Tollgate: settle (or release, with zero amounts) one hold; idempotent per hold id (see RedisStore).
-- KEYS: the hold's done marker, then per budget claim three keys as for reserve.lua
-- ARGV: holdId, claim count, nanos, tokens, done-marker TTL ms, then per claim: capNanos, capTokens, expiresAtMs,
--       idleMs, warn count m, m warn nanos, m warn tokens
-- Returns {-1} when the hold was settled before, else {1, then per claim: spentNanos, reservedNanos, spentTokens,
--          reservedTokens, over, first, crossed count c, c crossed indices}
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[5]) then
  return {-1}
end
local hold = ARGV[1]
local n = tonumber(ARGV[2])
local out = {1}
local a = 6
for i = 1, n do
  local k, kh, ka = KEYS[3 * i - 1], KEYS[3 * i], KEYS[3 * i + 1]
  if redis.call('ZREM', kh, hold) == 1 then
    local amt = redis.call('HGET', ka, hold)
    if amt then
      local sp = string.find(amt, ' ', 1, true)
      redis.call('HINCRBY', k, 'rn', 0 - tonumber(string.sub(amt, 1, sp - 1)))
      redis.call('HINCRBY', k, 'rt', 0 - tonumber(string.sub(amt, sp + 1)))
      redis.call('HDEL', ka, hold)
    end
  end
  if ARGV[3] ~= '0' then
    redis.call('HINCRBY', k, 'sn', ARGV[3])
  end
  if ARGV[4] ~= '0' then
    redis.call('HINCRBY', k, 'st', ARGV[4])
  end
  local v = redis.call('HMGET', k, 'sn', 'rn', 'st', 'rt', 'w')
  local sn, rn, st, rt = tonumber(v[1] or '0'), tonumber(v[2] or '0'), tonumber(v[3] or '0'), tonumber(v[4] or '0')
  local w = tonumber(v[5] or '0')
  local capN, capT = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
  local at, idle = tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local m = tonumber(ARGV[a + 4])
  local crossed = {}
  for f = 0, m - 1 do
    local bitv = 2 ^ f
    local set = math.floor(w / bitv) % 2 == 1
    if not set and (sn >= tonumber(ARGV[a + 5 + f]) or st >= tonumber(ARGV[a + 5 + m + f])) then
      w = w + bitv
      crossed[#crossed + 1] = f
    end
  end
  if #crossed > 0 then
    redis.call('HSET', k, 'w', w)
  end
  local over = (capN >= 0 and sn > capN) or (capT >= 0 and st > capT)
  local first = 0
  if over then
    first = redis.call('HSETNX', k, 'x', 1)
  end
  for j = 3 * i - 1, 3 * i + 1 do
    if at >= 0 then
      redis.call('PEXPIREAT', KEYS[j], at)
    elseif idle > 0 then
      redis.call('PEXPIRE', KEYS[j], idle)
    end
  end
  out[#out + 1] = sn
  out[#out + 1] = rn
  out[#out + 1] = st
  out[#out + 1] = rt
  out[#out + 1] = over and 1 or 0
  out[#out + 1] = first
  out[#out + 1] = #crossed
  for _, f in ipairs(crossed) do
    out[#out + 1] = f
  end
  a = a + 5 + 2 * m
end
return out
