-- 80% get_one, 10% patch, 10% post.
local heroes = tonumber(os.getenv("BENCH_HEROES") or "1000")
local headers = { ["Content-Type"] = "application/json" }
request = function()
  local r = math.random()
  if r < 0.8 then
    return wrk.format("GET", "/heroes/" .. math.random(1, heroes))
  elseif r < 0.9 then
    return wrk.format("PATCH", "/heroes/" .. math.random(1, heroes), headers, '{"age":' .. math.random(1, 90) .. '}')
  end
  local n = math.random(1, 1000000)
  return wrk.format("POST", "/heroes/", headers,
    '{"name":"Hero ' .. n .. '","secret_name":"Secret ' .. n .. '","age":' .. (n % 90) .. '}')
end
