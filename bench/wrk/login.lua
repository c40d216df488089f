-- Login: POST <url> (/api/auth/login) {"username","password","remember":true} with the CSRF
-- token in X-CSRF-Token and the CSRF binding cookie, both taken by the runner from one GET /
-- (<meta name="csrf-token"> and its Set-Cookie). No session cookie is sent, so a login never
-- replaces (rotates) a session: each one checks the password hash and creates a session.
-- Each request logs in the next of BENCH_USER_COUNT users (<prefix>0 ..), all with the same
-- password; threads start at different users.
-- Environment:
--   BENCH_CSRF_TOKEN, BENCH_COOKIE      token and Cookie header (required)
--   BENCH_USER_PREFIX [bench], BENCH_USER_COUNT [16], BENCH_PASSWORD [bench-password-1]
local dir = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

local requests = {}

function init(args)
  local token = assert(os.getenv("BENCH_CSRF_TOKEN"), "BENCH_CSRF_TOKEN not set")
  local cookie = assert(os.getenv("BENCH_COOKIE"), "BENCH_COOKIE not set")
  local prefix = os.getenv("BENCH_USER_PREFIX") or "bench"
  local count = tonumber(os.getenv("BENCH_USER_COUNT") or "16") or 16
  local password = os.getenv("BENCH_PASSWORD") or "bench-password-1"
  local headers = {
    ["Content-Type"] = "application/json",
    ["X-CSRF-Token"] = token,
    ["Cookie"] = cookie,
  }
  for i = 1, count do
    local body = string.format('{"username":"%s%d","password":"%s","remember":true}',
      prefix, i - 1, password)
    requests[i] = wrk.format("POST", wrk.path, headers, body)
  end
  common.use_pool(requests)
end

request = common.next_request
