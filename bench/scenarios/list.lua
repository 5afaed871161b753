-- GET /heroes/?limit=100: one page of the list.
request = function()
  return wrk.format("GET", "/heroes/?limit=100")
end
