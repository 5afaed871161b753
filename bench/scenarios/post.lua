-- POST /heroes/: create a hero.
local headers = { ["Content-Type"] = "application/json" }
request = function()
  local n = math.random(1, 1000000)
  return wrk.format("POST", "/heroes/", headers,
    '{"name":"Hero ' .. n .. '","secret_name":"Secret ' .. n .. '","age":' .. (n % 90) .. '}')
end
