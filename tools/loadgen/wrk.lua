-- wrk script for scripts/loadtest.sh: sends the pre-signed requests of amanah_loadgen, each
-- once (a second send would be a replay, which the server refuses). Thread t of T sends lines
-- t, t+T, t+2T... Usage: wrk -t T ... -s wrk.lua URL -- FILE T
local next_id = 1
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

function init(args)
  reqs = {}
  local file, nthreads = args[1], tonumber(args[2])
  local n = 0
  for line in io.lines(file) do
    if n % nthreads == id - 1 then
      local m, p, q, d, si, s, body =
        line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      local headers = {["Content-Digest"] = d, ["Signature-Input"] = si, ["Signature"] = s}
      if body ~= "" then
        headers["Content-Type"] = "application/json"
      else
        body = nil
      end
      reqs[#reqs + 1] = wrk.format(m, p .. q, headers, body)
    end
    n = n + 1
  end
  i = 0
end

function request()
  i = i + 1
  if i > #reqs then
    i = 1  -- out of fresh requests: replays follow and count as non-2xx
  end
  return reqs[i]
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write +
                 summary.errors.timeout
  io.write(string.format("requests: %d in %.2f s = %.0f/s\n", summary.requests, seconds,
                         summary.requests / seconds))
  io.write(string.format("non-2xx: %d, errors: %d\n", summary.errors.status, errors))
  io.write(string.format("latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
                         latency:percentile(50) / 1000, latency:percentile(99) / 1000,
                         latency.max / 1000))
  -- The same figures for scripts/loadtest.sh's results file, if it asks for them.
  local out = os.getenv("WRK_RESULT")
  if out and out ~= "" then
    local f = assert(io.open(out, "w"))
    f:write(string.format('{"requests": %d, "seconds": %.3f, "requests_per_second": %.1f, ' ..
                          '"non_2xx": %d, "socket_errors": %d, "p50_ms": %.3f, ' ..
                          '"p99_ms": %.3f, "max_ms": %.3f}\n',
                          summary.requests, seconds, summary.requests / seconds,
                          summary.errors.status, errors, latency:percentile(50) / 1000,
                          latency:percentile(99) / 1000, latency.max / 1000))
    f:close()
  end
end
