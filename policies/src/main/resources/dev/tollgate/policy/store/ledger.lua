-- Tollgate's fleet store (see RedisStore): one script, three steps, each atomic on the server.
-- ARGV[1] is the step; the step's own arguments follow it (A below is ARGV without the step).
--
-- reserve: take every claim of one call, or none.
--   KEYS: per claim three keys: the instance hash, its holds (zset by expiry; call times for a windowed count),
--         its hold amounts (hash). All share the store's hash tag, so one call's keys are in one slot.
--   A: holdId ("" for none), claim count, hold TTL ms, then per claim 10 values: kind (b|c), nanos, tokens,
--      capNanos, capTokens, capCalls, windowMs, enforcing (1|0), expiresAtMs, idleMs
--   returns {granted (1|0), then per claim: spentNanos, reservedNanos, spentTokens, reservedTokens, calls, over,
--            overUsd, first}
-- settle: settle (or release, with zero amounts) one hold; idempotent per hold id.
--   KEYS: the hold's done marker, then per budget claim three keys as for reserve
--   A: holdId, claim count, nanos, tokens, done-marker TTL ms, then per claim: capNanos, capTokens, expiresAtMs,
--      idleMs, warn count m, m warn nanos, m warn tokens
--   returns {-1} when the hold was settled before, else {1, then per claim: spentNanos, reservedNanos, spentTokens,
--            reservedTokens, over, first, crossed count c, c crossed indices}
-- cancel: undo a grant entirely, counts included (another store refused the same call); idempotent per hold id
--   through the done marker settle uses, so a cancelled hold is done (a settle of it after changes nothing) and a
--   settled one is not undone.
--   KEYS: the hold's done marker, then per claim three keys as for reserve
--   A: holdId, claim count, done-marker TTL ms, then per claim: kind (b|c), windowMs
--   returns -1 when the hold was settled or cancelled before, else 1
local A = {}
for i = 2, #ARGV do
  A[i - 1] = ARGV[i]
end

-- Returns a hold's reservation to its instance (when the hold is still there) and forgets the hold.
local function unhold(k, kh, ka, hold)
  if redis.call('ZREM', kh, hold) == 1 then
    local amt = redis.call('HGET', ka, hold)
    if amt then
      local sp = string.find(amt, ' ', 1, true)
      redis.call('HINCRBY', k, 'rn', 0 - tonumber(string.sub(amt, 1, sp - 1)))
      redis.call('HINCRBY', k, 'rt', 0 - tonumber(string.sub(amt, sp + 1)))
      redis.call('HDEL', ka, hold)
    end
  end
end

local function reserve()
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local hold = A[1]
  local n = tonumber(A[2])
  local ttl = tonumber(A[3])
  local seen = {}
  local refuse = false

  local function purge(k, kh, ka)
    for _, h in ipairs(redis.call('ZRANGEBYSCORE', kh, '-inf', now)) do
      unhold(k, kh, ka, h)
    end
  end

  for i = 1, n do
    local a = 3 + (i - 1) * 10
    local k, kh, ka = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
    if A[a + 1] == 'b' then
      purge(k, kh, ka)
      local v = redis.call('HMGET', k, 'sn', 'rn', 'st', 'rt')
      local sn, rn, st, rt = tonumber(v[1] or '0'), tonumber(v[2] or '0'), tonumber(v[3] or '0'), tonumber(v[4] or '0')
      local capN, capT = tonumber(A[a + 4]), tonumber(A[a + 5])
      local overN = capN >= 0 and sn + rn + tonumber(A[a + 2]) > capN
      local overT = capT >= 0 and st + rt + tonumber(A[a + 3]) > capT
      seen[i] = {sn, rn, st, rt, 0, (overN or overT) and 1 or 0, overN and 1 or 0, 0}
    else
      local win = tonumber(A[a + 7])
      local calls
      if win >= 0 then
        redis.call('ZREMRANGEBYSCORE', kh, '-inf', now - win)
        calls = redis.call('ZCARD', kh)
      else
        calls = tonumber(redis.call('HGET', k, 'c') or '0')
      end
      seen[i] = {0, 0, 0, 0, calls, calls >= tonumber(A[a + 6]) and 1 or 0, 0, 0}
    end
    if seen[i][6] == 1 and A[a + 8] == '1' then
      refuse = true
    end
  end

  for i = 1, n do
    if seen[i][6] == 1 then
      seen[i][8] = redis.call('HSETNX', KEYS[3 * i - 2], 'b', 1)
    end
  end

  local function expiry(i, a)
    local at, idle = tonumber(A[a + 9]), tonumber(A[a + 10])
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
      if A[a + 1] == 'b' then
        redis.call('HINCRBY', k, 'rn', A[a + 2])
        redis.call('HINCRBY', k, 'rt', A[a + 3])
        if hold ~= '' then
          redis.call('ZADD', kh, now + ttl, hold)
          redis.call('HSET', ka, hold, A[a + 2] .. ' ' .. A[a + 3])
        end
      else
        local win = tonumber(A[a + 7])
        if win >= 0 then
          local member = hold
          if member == '' then
            member = 's' .. redis.call('HINCRBY', k, 'seq', 1)
          else
            member = member .. ':' .. i
          end
          redis.call('ZADD', kh, now, member)
          local cap = tonumber(A[a + 6])
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
end

local function settle()
  if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', A[5]) then
    return {-1}
  end
  local hold = A[1]
  local n = tonumber(A[2])
  local out = {1}
  local a = 6
  for i = 1, n do
    local k, kh, ka = KEYS[3 * i - 1], KEYS[3 * i], KEYS[3 * i + 1]
    unhold(k, kh, ka, hold)
    if A[3] ~= '0' then
      redis.call('HINCRBY', k, 'sn', A[3])
    end
    if A[4] ~= '0' then
      redis.call('HINCRBY', k, 'st', A[4])
    end
    local v = redis.call('HMGET', k, 'sn', 'rn', 'st', 'rt', 'w')
    local sn, rn, st, rt = tonumber(v[1] or '0'), tonumber(v[2] or '0'), tonumber(v[3] or '0'), tonumber(v[4] or '0')
    local w = tonumber(v[5] or '0')
    local capN, capT = tonumber(A[a]), tonumber(A[a + 1])
    local at, idle = tonumber(A[a + 2]), tonumber(A[a + 3])
    local m = tonumber(A[a + 4])
    local crossed = {}
    for f = 0, m - 1 do
      local bitv = 2 ^ f
      local set = math.floor(w / bitv) % 2 == 1
      if not set and (sn >= tonumber(A[a + 5 + f]) or st >= tonumber(A[a + 5 + m + f])) then
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
end

local function cancel()
  if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', A[3]) then
    return -1
  end
  local hold = A[1]
  local n = tonumber(A[2])
  for i = 1, n do
    local k, kh, ka = KEYS[3 * i - 1], KEYS[3 * i], KEYS[3 * i + 1]
    local kind, win = A[4 + (i - 1) * 2], tonumber(A[5 + (i - 1) * 2])
    if kind == 'b' then
      unhold(k, kh, ka, hold)
    elseif win >= 0 then
      redis.call('ZREM', kh, hold .. ':' .. i)
    else
      redis.call('HINCRBY', k, 'c', -1)
    end
  end
  return 1
end

local step = ARGV[1]
if step == 'reserve' then
  return reserve()
elseif step == 'settle' then
  return settle()
elseif step == 'cancel' then
  return cancel()
end
return redis.error_reply('unknown step ' .. tostring(step))
