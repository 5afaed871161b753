-- GET /api/articles?limit=20 as the bench's viewer: a page of the newest articles with their flags.
wrk.path = "/api/articles?limit=20"
wrk.headers["Authorization"] = "Token " .. os.getenv("BENCH_TOKEN")
