-- wrk script for benchmarks/load.py's open loop: each wrk thread (one connection each) sends
-- the signed webhooks of its own file in order, each once. A thread's file has one request per
-- line: "<X-Line-Signature>\t<body>". Prints, at the end, a line per thread:
-- "acked <thread> <200 responses> <requests made>" (wrk may make a request it never sends, e.g.
-- around a reconnect, so the two can differ by more than the one in flight at the stop).
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  prefix = args[1]
  requests, acked, index = {}, 0, 0
  for line in io.lines(prefix .. id) do
    local signature, body = line:match("^([^\t]+)\t(.*)$")
    requests[#requests + 1] = wrk.format("POST", "/callback",
      {["Content-Type"] = "application/json", ["X-Line-Signature"] = signature}, body)
  end
end

function request()
  index = index + 1
  if index > #requests then
    wrk.thread:stop()
    index = #requests
  end
  return requests[index]
end

function response(status, headers, body)
  if status == 200 then
    acked = acked + 1
  end
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    io.write(string.format("acked %d %d %d\n", thread:get("id"), thread:get("acked"), thread:get("index")))
  end
  io.write(string.format("latency %d %d %d\n", latency:percentile(50), latency:percentile(99), latency.max))
  io.write(string.format("total %d %d %d\n", summary.requests, summary.duration, summary.errors.status))
end
