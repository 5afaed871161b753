-- GET /heroes/{random id} among the seeded heroes.
local heroes = tonumber(os.getenv("BENCH_HEROES") or "1000")
request = function()
  return wrk.format("GET", "/heroes/" .. math.random(1, heroes))
end
