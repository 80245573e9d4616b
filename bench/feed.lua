-- wrk script: each request POSTs one line of BODY_FILE (drawn at random) as a viewer
-- drawn at random from TOKENS_FILE.
local function read(path)
  local f = assert(io.open(path, "r"))
  local s = f:read("*a")
  f:close()
  return s
end

local bodies, tokens = {}, {}
for line in read(os.getenv("BODY_FILE")):gmatch("[^\n]+") do
  bodies[#bodies + 1] = line
end
for t in read(os.getenv("TOKENS_FILE")):gmatch("%S+") do
  tokens[#tokens + 1] = t
end

request = function()
  return wrk.format("POST", "/graphql", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)],
  }, bodies[math.random(#bodies)])
end
