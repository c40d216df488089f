-- A trivial request: GET <url> (/healthz) with no cookie: the server's own ceiling.
local dir = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

local req

function init(args)
  req = wrk.format("GET", wrk.path, {})
  pool_size = 1
end

function request()
  return req
end
