-- Shared by every wrk script of the benchmark suite (bench/run.sh); loaded with dofile() from
-- the script's own directory. It installs the globals wrk calls:
--   setup(thread)  numbers the threads (global thread_id, 0-based) and keeps them for done()
--   response()     counts every non-2xx response per thread (and keeps the first one seen)
--   delay()        only when BENCH_RATE > 0: paces the requests to BENCH_RATE per second over
--                  all threads (used by the mixed run). Each thread hands out send times
--                  1000 * threads / rate ms apart on the monotonic clock and delays each
--                  request until its slot; a thread that falls behind restarts from now
--                  instead of bursting. It needs enough connections that one is free at each
--                  slot; the rate reached is in the result either way.
--   done()         prints one parseable line, "BENCH_RESULT {json}": exact percentiles from
--                  wrk's histogram (microseconds), counts, errors, and per thread where it
--                  started in its request pool and how many responses it got
-- A script defines init() (building its requests, with common.pool_size set) and request().
-- Environment: BENCH_WRK_THREADS (the -t given to wrk, default 2), BENCH_RATE.
local common = {}

common.threads = tonumber(os.getenv("BENCH_WRK_THREADS") or "2") or 2
local rate = tonumber(os.getenv("BENCH_RATE") or "0") or 0
local all_threads = {}

function setup(thread)
  thread:set("thread_id", #all_threads)
  table.insert(all_threads, thread)
end

-- Per thread (set in the thread's own Lua state).
non2xx = 0
responses = 0
first_bad = nil
pool_size = 0
pool_start = 0

function response(status, headers, body)
  responses = responses + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_bad == nil then
      first_bad = tostring(status) .. " " .. string.sub(body or "", 1, 200)
    end
  end
end

if rate > 0 then
  local ffi = require("ffi")
  ffi.cdef([[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clk_id, bench_timespec *tp);
  ]])
  local CLOCK_MONOTONIC = 1
  local ts = ffi.new("bench_timespec")
  local function now_ms()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
  end
  local interval = 1000 * common.threads / rate
  local next_slot = nil

  function delay()
    local now = now_ms()
    if next_slot == nil or next_slot < now - interval then next_slot = now end
    local wait = next_slot - now
    next_slot = next_slot + interval
    return math.floor(wait + 0.5)
  end
end

-- Reads a file's non-empty lines into a table (an error when there is none).
function common.read_lines(path)
  local f = assert(io.open(path, "r"), "cannot open " .. tostring(path))
  local out = {}
  for line in f:lines() do
    if line ~= "" then out[#out + 1] = line end
  end
  f:close()
  assert(#out > 0, "no lines in " .. path)
  return out
end

-- Where this thread starts in a pool of n requests: BENCH_OFFSETS ("o0,o1,...", one per
-- thread) when set, else thread t of T at t * n / T, so threads begin far apart.
function common.start_offset(n)
  local list = os.getenv("BENCH_OFFSETS")
  if list and list ~= "" then
    local i = 0
    for v in string.gmatch(list, "[^,]+") do
      if i == thread_id then return (tonumber(v) or 0) % n end
      i = i + 1
    end
  end
  return math.floor(thread_id * n / common.threads) % n
end

local function json_string(s)
  s = string.gsub(s, '[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end)
  return '"' .. s .. '"'
end

function done(summary, latency, requests)
  local e = summary.errors
  local bad, got, bad_sample = 0, 0, nil
  local starts, counts = {}, {}
  local pool = 0
  for _, t in ipairs(all_threads) do
    bad = bad + (t:get("non2xx") or 0)
    got = got + (t:get("responses") or 0)
    bad_sample = bad_sample or t:get("first_bad")
    pool = t:get("pool_size") or pool
    starts[#starts + 1] = tostring(t:get("pool_start") or 0)
    counts[#counts + 1] = tostring(t:get("responses") or 0)
  end
  local secs = summary.duration / 1e6
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"responses":%d,"duration_s":%.3f,"rps":%.1f,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
    '"non2xx":%d,"errors_status":%d,"errors_connect":%d,"errors_read":%d,' ..
    '"errors_write":%d,"errors_timeout":%d,"first_bad":%s,' ..
    '"pool_size":%d,"thread_starts":[%s],"thread_responses":[%s],"paced_rate":%.1f}\n',
    summary.requests, got, secs, summary.requests / secs,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, bad, e.status, e.connect, e.read, e.write, e.timeout,
    bad_sample and json_string(bad_sample) or "null", pool,
    table.concat(starts, ","), table.concat(counts, ","), rate))
end

-- A pool of pre-built requests, cycled from this thread's own start offset:
-- common.use_pool(requests) in init(), then `request = common.next_request`.
local pool, next_index = {}, 1

function common.use_pool(requests)
  pool = requests
  pool_size = #requests
  pool_start = common.start_offset(pool_size)
  next_index = pool_start + 1
end

function common.next_request()
  local r = pool[next_index]
  next_index = next_index + 1
  if next_index > pool_size then next_index = 1 end
  return r
end

return common
