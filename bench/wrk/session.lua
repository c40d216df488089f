-- Session check: GET <url> (/api/auth) with a session cookie, cycling through a file of
-- cookies so the server sees many distinct sessions. Each thread loads the file in init(),
-- pre-builds one request per cookie and starts at its own offset (see common.lua).
-- Environment:
--   BENCH_COOKIES      file, one cookie a line (required)
--   BENCH_COOKIE_NAME  each line is that cookie's value (default latchkey_session); set it to
--                      "-" when each line is already a whole Cookie header (the peers)
--   BENCH_DELAY_MS     rate limit (common.lua)
local dir = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

local requests = {}

function init(args)
  local name = os.getenv("BENCH_COOKIE_NAME") or "latchkey_session"
  local lines = common.read_lines(assert(os.getenv("BENCH_COOKIES"), "BENCH_COOKIES not set"))
  for i, line in ipairs(lines) do
    local cookie = (name == "-") and line or (name .. "=" .. line)
    requests[i] = wrk.format("GET", wrk.path, { Cookie = cookie })
  end
  common.use_pool(requests)
end

request = common.next_request
