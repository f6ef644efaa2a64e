-- wrk's report as one JSON line (latencies in microseconds), read by bench/load.py.
-- The session cookie is sent by wrk's -H option, the same on every request.
done = function(summary, latency, requests)
  local e = summary.errors
  local function pct(p)
    if summary.requests == 0 then return -1 end
    return latency:percentile(p)
  end
  io.write(string.format(
    "WRK_JSON {\"duration_us\": %d, \"requests\": %d, \"bytes\": %d, " ..
    "\"connect_errors\": %d, \"read_errors\": %d, \"write_errors\": %d, " ..
    "\"status_errors\": %d, \"timeouts\": %d, \"p50_us\": %d, \"p95_us\": %d, " ..
    "\"p99_us\": %d, \"max_us\": %d, \"mean_us\": %.1f}\n",
    summary.duration, summary.requests, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    pct(50), pct(95), pct(99), summary.requests == 0 and -1 or latency.max,
    summary.requests == 0 and -1 or latency.mean))
end
