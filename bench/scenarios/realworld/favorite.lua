-- POST /api/articles/{slug}/favorite of a random seeded article, as the bench's viewer.
local articles = tonumber(os.getenv("BENCH_ARTICLES") or "10000")
local headers = { ["Authorization"] = "Token " .. os.getenv("BENCH_TOKEN") }
request = function()
  return wrk.format("POST", "/api/articles/seeded-article-" .. math.random(1, articles) .. "/favorite", headers)
end
