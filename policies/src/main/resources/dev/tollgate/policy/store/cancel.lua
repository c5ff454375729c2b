-- Tollgate: undo a grant entirely, counts included (another store refused the same call).
-- KEYS: per claim three keys as for reserve.lua. ARGV: holdId, claim count, then per claim: kind (b|c), windowMs
local hold = ARGV[1]
local n = tonumber(ARGV[2])
for i = 1, n do
  local k, kh, ka = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  local kind, win = ARGV[3 + (i - 1) * 2], tonumber(ARGV[4 + (i - 1) * 2])
  if kind == 'b' then
    if redis.call('ZREM', kh, hold) == 1 then
      local amt = redis.call('HGET', ka, hold)
      if amt then
        local sp = string.find(amt, ' ', 1, true)
        redis.call('HINCRBY', k, 'rn', 0 - tonumber(string.sub(amt, 1, sp - 1)))
        redis.call('HINCRBY', k, 'rt', 0 - tonumber(string.sub(amt, sp + 1)))
        redis.call('HDEL', ka, hold)
      end
    end
  elseif win >= 0 then
    redis.call('ZREM', kh, hold .. ':' .. i)
  else
    redis.call('HINCRBY', k, 'c', -1)
  end
end
return 1
