-- 50% get_one, 30% list, 15% favorite, 5% post: a reader's day with a few writes.
local articles = tonumber(os.getenv("BENCH_ARTICLES") or "10000")
local token = { ["Authorization"] = "Token " .. os.getenv("BENCH_TOKEN") }
local json = { ["Authorization"] = token["Authorization"], ["Content-Type"] = "application/json" }
request = function()
  local r = math.random()
  local slug = "seeded-article-" .. math.random(1, articles)
  if r < 0.5 then
    return wrk.format("GET", "/api/articles/" .. slug)
  elseif r < 0.8 then
    return wrk.format("GET", "/api/articles?limit=20", token)
  elseif r < 0.95 then
    return wrk.format("POST", "/api/articles/" .. slug .. "/favorite", token)
  end
  local n = math.random(1, 1000000)
  return wrk.format("POST", "/api/articles", json,
    '{"article":{"title":"Bench article ' .. n .. '","description":"Written by the bench","body":"The body of bench article '
    .. n .. '.","tagList":["tag' .. string.format("%02d", n % 50) .. '"]}}')
end
