-- wrk script for the vote bench (builder/devtools/bench_votes.py).
--
--   wrk ... -s votes.lua URL -- vote RUN COMPARISON TOOL1,TOOL2   POST /v1/votes, a new voter each time
--   wrk ... -s votes.lua URL -- get                                GET the URL's path (the in-memory baseline)
--
-- Each vote carries a voter token no other request of any run has used
-- (RUN is unique per run, then the thread and a counter), so every vote is a
-- new row and a real commit. done() prints one JSON line of figures.

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local mode, run, comparison, tools
local counter = 0

function init(args)
  mode = args[1] or "get"
  if mode == "vote" then
    run = args[2]
    comparison = args[3]
    tools = {}
    for tool in string.gmatch(args[4], "[^,]+") do
      table.insert(tools, tool)
    end
  end
end

function request()
  if mode ~= "vote" then
    return wrk.format("GET")
  end
  counter = counter + 1
  local voter = string.format("%s-%02d-%010d", run, id, counter)
  local body = string.format('{"comparison":"%s","tool":"%s","voter":"%s"}',
    comparison, tools[counter % #tools + 1], voter)
  return wrk.format("POST", "/v1/votes", {["Content-Type"] = "application/json"}, body)
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
