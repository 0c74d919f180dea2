-- Each of (at most two) threads walks its own half of a list of URLs, its connections taking
-- the next one in turn: no URL is asked twice while a thread sends fewer than half the list.
-- Prints requests/s and latency percentiles in milliseconds.
local urls = {}
for line in io.lines(os.getenv("WRK_URLS")) do urls[#urls + 1] = line end
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("offset", (counter - 1) * math.floor(#urls / 2))
  table.insert(threads, thread)
end

function init(args)
  position = offset
  errors_seen = 0
end

function request()
  position = position + 1
  return wrk.format("GET", urls[(position % #urls) + 1])
end

function response(status, headers, body)
  if status ~= 200 then errors_seen = errors_seen + 1 end
end

function done(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %d %.3f %.3f %.3f %d\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, errors))
end
