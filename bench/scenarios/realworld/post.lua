-- POST /api/articles: a new article with two tags, one of them new now and then, as the bench's viewer.
local headers = { ["Authorization"] = "Token " .. os.getenv("BENCH_TOKEN"), ["Content-Type"] = "application/json" }
request = function()
  local n = math.random(1, 1000000)
  return wrk.format("POST", "/api/articles", headers,
    '{"article":{"title":"Bench article ' .. n .. '","description":"Written by the bench","body":"The body of bench article '
    .. n .. '.","tagList":["tag' .. string.format("%02d", n % 50) .. '","bench' .. (n % 1000) .. '"]}}')
end
