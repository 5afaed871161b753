// The Heroes API arrives with the HTTP layer; until then `npm start` says so instead of failing.
console.log('onemodel: the Heroes API (npm start) comes with the HTTP layer, which is not built yet.')
