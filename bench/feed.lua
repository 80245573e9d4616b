-- wrk script: each request POSTs one line of BODY_FILE (drawn at random) as a viewer
-- drawn at random from TOKENS_FILE ("-": anonymous, no Authorization header).
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
  local headers = { ["Content-Type"] = "application/json" }
  local token = tokens[math.random(#tokens)]
  if token ~= "-" then
    headers["Authorization"] = "Bearer " .. token
  end
  return wrk.format("POST", "/graphql", headers, bodies[math.random(#bodies)])
end
