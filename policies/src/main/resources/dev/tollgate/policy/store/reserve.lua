-- Tollgate: take every claim of one call, or none (see RedisStore). Runs atomically on the server.
-- KEYS: per claim three keys: the instance hash, its holds (zset; window stamps for a windowed count), its hold
--       amounts (hash). All share the store's hash tag, so one call's keys are in one slot.
-- ARGV: holdId ("" for none), claim count, hold TTL ms, then per claim 10 values:
--       kind (b|c), nanos, tokens, capNanos, capTokens, capCalls, windowMs, enforcing (1|0), expiresAtMs, idleMs
-- Returns {granted (1|0), then per claim: spentNanos, reservedNanos, spentTokens, reservedTokens, calls, over,
--          overUsd, first}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local hold = ARGV[1]
local n = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
local seen = {}
local refuse = false

local function purge(k, kh, ka)
  local dead = redis.call('ZRANGEBYSCORE', kh, '-inf', now)
  for _, h in ipairs(dead) do
    local amt = redis.call('HGET', ka, h)
    if amt then
      local sp = string.find(amt, ' ', 1, true)
      redis.call('HINCRBY', k, 'rn', 0 - tonumber(string.sub(amt, 1, sp - 1)))
      redis.call('HINCRBY', k, 'rt', 0 - tonumber(string.sub(amt, sp + 1)))
      redis.call('HDEL', ka, h)
    end
    redis.call('ZREM', kh, h)
  end
end

for i = 1, n do
  local a = 3 + (i - 1) * 10
  local k, kh, ka = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  if ARGV[a + 1] == 'b' then
    purge(k, kh, ka)
    local v = redis.call('HMGET', k, 'sn', 'rn', 'st', 'rt')
    local sn, rn, st, rt = tonumber(v[1] or '0'), tonumber(v[2] or '0'), tonumber(v[3] or '0'), tonumber(v[4] or '0')
    local capN, capT = tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5])
    local overN = capN >= 0 and sn + rn + tonumber(ARGV[a + 2]) > capN
    local overT = capT >= 0 and st + rt + tonumber(ARGV[a + 3]) > capT
    seen[i] = {sn, rn, st, rt, 0, (overN or overT) and 1 or 0, overN and 1 or 0, 0}
  else
    local win = tonumber(ARGV[a + 7])
    local calls
    if win >= 0 then
      redis.call('ZREMRANGEBYSCORE', kh, '-inf', now - win)
      calls = redis.call('ZCARD', kh)
    else
      calls = tonumber(redis.call('HGET', k, 'c') or '0')
    end
    seen[i] = {0, 0, 0, 0, calls, calls >= tonumber(ARGV[a + 6]) and 1 or 0, 0, 0}
  end
  if seen[i][6] == 1 and ARGV[a + 8] == '1' then
    refuse = true
  end
end

for i = 1, n do
  if seen[i][6] == 1 then
    seen[i][8] = redis.call('HSETNX', KEYS[3 * i - 2], 'b', 1)
  end
end

local function expiry(i, a)
  local at, idle = tonumber(ARGV[a + 9]), tonumber(ARGV[a + 10])
  for j = 3 * i - 2, 3 * i do
    if at >= 0 then
      redis.call('PEXPIREAT', KEYS[j], at)
    elseif idle > 0 then
      redis.call('PEXPIRE', KEYS[j], idle)
    end
  end
end

if not refuse then
  for i = 1, n do
    local a = 3 + (i - 1) * 10
    local k, kh, ka = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
    if ARGV[a + 1] == 'b' then
      redis.call('HINCRBY', k, 'rn', ARGV[a + 2])
      redis.call('HINCRBY', k, 'rt', ARGV[a + 3])
      if hold ~= '' then
        redis.call('ZADD', kh, now + ttl, hold)
        redis.call('HSET', ka, hold, ARGV[a + 2] .. ' ' .. ARGV[a + 3])
      end
    else
      local win = tonumber(ARGV[a + 7])
      if win >= 0 then
        local member = hold
        if member == '' then
          member = 's' .. redis.call('HINCRBY', k, 'seq', 1)
        else
          member = member .. ':' .. i
        end
        redis.call('ZADD', kh, now, member)
        local cap = tonumber(ARGV[a + 6])
        local over = redis.call('ZCARD', kh) - math.max(cap, 1)
        if over > 0 then
          redis.call('ZREMRANGEBYRANK', kh, 0, over - 1)
        end
      else
        redis.call('HINCRBY', k, 'c', 1)
      end
    end
    expiry(i, a)
  end
end

local out = {refuse and 0 or 1}
for i = 1, n do
  for j = 1, 8 do
    out[#out + 1] = seen[i][j]
  end
end
return out
