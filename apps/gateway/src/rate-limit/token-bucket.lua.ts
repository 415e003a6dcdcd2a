/**
 * Token buckets for one request (or one lease of tokens), checked and charged atomically in one
 * round trip.
 *
 * KEYS: one hash per bucket ({t = tokens, ts = last update in ms}).
 * ARGV: wanted tokens, then ratePerSecond and burst of each bucket, in KEYS order.
 * Grants min(wanted, whole tokens of the emptiest bucket) tokens, charged to every bucket; when some
 * bucket holds less than one token nothing is granted and nothing charged. With wanted = 1 this is a
 * plain one-request check.
 * Redis' clock is the only clock, so gateways with skewed clocks share buckets correctly.
 * Returns {allowed, limit, remaining, resetMs, retryAfterMs, granted, tightest} where the first five
 * describe the tightest bucket after the charge and `tightest` is its 1-based index in KEYS.
 */
export const TOKEN_BUCKET_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local want = tonumber(ARGV[1])
local n = #KEYS
local tokens = {}
local least = -1
local retry = 0
for i = 1, n do
  local rate = tonumber(ARGV[2 * i])
  local burst = tonumber(ARGV[2 * i + 1])
  local state = redis.call('HMGET', KEYS[i], 't', 'ts')
  local tk = tonumber(state[1])
  local ts = tonumber(state[2])
  if tk == nil or ts == nil then
    tk = burst
    ts = now
  end
  local elapsed = now - ts
  if elapsed < 0 then elapsed = 0 end
  tk = math.min(burst, tk + elapsed * rate / 1000)
  tokens[i] = tk
  if least < 0 or tk < least then least = tk end
  if tk < 1 then
    local wait = math.ceil((1 - tk) * 1000 / rate)
    if wait > retry then retry = wait end
  end
end
local granted = math.min(want, math.floor(least))
local allowed = 1
if granted < 1 then
  granted = 0
  allowed = 0
end
local limit, remaining, reset, tightest = 0, -1, 0, 1
for i = 1, n do
  local rate = tonumber(ARGV[2 * i])
  local burst = tonumber(ARGV[2 * i + 1])
  local tk = tokens[i]
  if allowed == 1 then
    tk = tk - granted
    redis.call('HSET', KEYS[i], 't', tostring(tk), 'ts', tostring(now))
    redis.call('PEXPIRE', KEYS[i], math.ceil(burst * 1000 / rate) + 1000)
  end
  local left = math.floor(tk)
  if remaining < 0 or left < remaining or (left == remaining and burst < limit) then
    remaining = left
    limit = burst
    reset = math.ceil((burst - tk) * 1000 / rate)
    tightest = i
  end
end
return {allowed, limit, remaining, reset, retry, granted, tightest}
`;
