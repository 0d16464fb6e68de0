-- wrk script: POST the adjustment body with a fresh Idempotency-Key on every request.
-- The body comes from BENCH_BODY; keys are unique per wrk thread, run and request.
local body = os.getenv("BENCH_BODY")
local counter = 0
local prefix = string.format("bench-%d-%d-", os.time(), math.random(1, 1000000000))

wrk.method = "POST"
wrk.body = body

function request()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = prefix .. counter
  return wrk.format("POST", nil, nil, body)
end
