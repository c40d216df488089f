-- The page: GET / (rendering index.html with a fresh CSRF token), as a returning browser
-- asks for it: with the CSRF binding cookie it got from an earlier GET /.
-- Environment: BENCH_COOKIE (a whole Cookie header; optional).
local dir = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

local req

function init(args)
  local headers = {}
  local cookie = os.getenv("BENCH_COOKIE")
  if cookie and cookie ~= "" then headers["Cookie"] = cookie end
  req = wrk.format("GET", wrk.path, headers)
  pool_size = 1
end

function request()
  return req
end
