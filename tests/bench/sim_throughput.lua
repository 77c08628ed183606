-- wrk script for tests/bench/sim_throughput.sh: every request is a signed
-- POST /vehicle-command (lock_door on 9BWZZZ377VT004251) with the bearer
-- token, on keep-alive connections. The shell script passes the token and
-- the signature (computed with python3's json and hmac) in the environment.
wrk.method = "POST"
wrk.path = "/vehicle-command"
wrk.body = '{"vin":"9BWZZZ377VT004251","command":"lock_door"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("SIM_TOKEN")
wrk.headers["X-Signature"] = os.getenv("SIM_SIGNATURE")

done = function(summary, latency, requests)
    io.write(string.format("non-2xx/3xx: %d\n", summary.errors.status))
end
