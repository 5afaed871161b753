-- GET /api/articles/{slug} of a random seeded article, without a token.
local articles = tonumber(os.getenv("BENCH_ARTICLES") or "10000")
request = function()
  return wrk.format("GET", "/api/articles/seeded-article-" .. math.random(1, articles))
end
