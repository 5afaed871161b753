-- PATCH /heroes/{random id} with a new age.
local heroes = tonumber(os.getenv("BENCH_HEROES") or "1000")
local headers = { ["Content-Type"] = "application/json" }
request = function()
  return wrk.format("PATCH", "/heroes/" .. math.random(1, heroes), headers, '{"age":' .. math.random(1, 90) .. '}')
end
