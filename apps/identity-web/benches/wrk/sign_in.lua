-- Password sign-ins for wrk (`wrk -s sign_in.lua URL -- DATA_FILE`), used by
-- `cargo bench -p identity-web --bench external_sign_in`.
--
-- What a sign-in needs:
--  * the CSRF pair: the sign-in form's `csrf` cookie and the same value as the
--    form's `csrf` field (a double submit, not bound to a session or a time), so
--    one pair, read off GET /account/sign-in, serves a whole thread;
--  * logins that never meet a throttle: a sign-in counts as a failure against its
--    login (3 free) and its client address (50 an hour) *before* the password is
--    checked, and takes it back on success, so it is the attempts in flight at
--    once that count. Each thread cycles through logins of its own, several per
--    connection, each with its own address in `X-Forwarded-For` (the server runs
--    with IDENTITY_CLIENT_IP_HEADER=x-forwarded-for);
--  * a success check: only `303 See Other` to `/account` is a sign-in; anything
--    else (401 wrong or throttled, 403 form expired, 503 shed, 5xx) is counted as
--    an error, by status.
--
-- DATA_FILE lines: `csrf <value>` (one or more pairs, one per thread, reused
-- round-robin) and `login <login id> <client address>` (shared out between
-- threads round-robin).

local threads = {}
local count = 0

function setup(thread)
   thread:set("id", count)
   count = count + 1
   table.insert(threads, thread)
end

local requests = {}
local next_request = 0
ok = 0
bad = 0
statuses = ""
local bad_by_status = {}

local function form_encode(s)
   return (s:gsub("[^%w%-%._~]", function(c)
      return string.format("%%%02X", string.byte(c))
   end))
end

function init(args)
   local path, password = args[1], args[2]
   local csrf, logins = {}, {}
   for line in io.lines(path) do
      local kind, a, b = line:match("^(%S+) (%S+) ?(%S*)$")
      if kind == "csrf" then
         table.insert(csrf, a)
      elseif kind == "login" then
         table.insert(logins, { a, b })
      end
   end
   local threads_n = tonumber(args[3])
   local pair = csrf[id % #csrf + 1]
   for i, login in ipairs(logins) do
      if (i - 1) % threads_n == id then
         local body = "csrf=" .. form_encode(pair)
            .. "&login_id=" .. form_encode(login[1])
            .. "&password=" .. form_encode(password)
         table.insert(requests, wrk.format("POST", "/account/sign-in", {
            ["Host"] = "localhost",
            ["Cookie"] = "csrf=" .. pair,
            ["Content-Type"] = "application/x-www-form-urlencoded",
            ["X-Forwarded-For"] = login[2],
         }, body))
      end
   end
   assert(#requests > 0, "no login for thread " .. id)
end

function request()
   next_request = next_request % #requests + 1
   return requests[next_request]
end

function response(status, headers, body)
   local location = headers["location"] or headers["Location"]
   if status == 303 and location == "/account" then
      ok = ok + 1
   else
      bad = bad + 1
      bad_by_status[status] = (bad_by_status[status] or 0) + 1
      local parts = {}
      for s, n in pairs(bad_by_status) do
         table.insert(parts, s .. ":" .. n)
      end
      statuses = table.concat(parts, ",")
   end
end

function done(summary, latency, requests_stats)
   local signed_in, failed, by_status = 0, 0, {}
   for _, thread in ipairs(threads) do
      signed_in = signed_in + thread:get("ok")
      failed = failed + thread:get("bad")
      local s = thread:get("statuses")
      if s ~= "" then
         table.insert(by_status, s)
      end
   end
   local e = summary.errors
   io.write(string.format(
      "RESULT duration_us=%d requests=%d signed_in=%d failed=%d socket_errors=%d p50_us=%d p99_us=%d max_us=%d statuses=%s\n",
      summary.duration, summary.requests, signed_in, failed,
      e.connect + e.read + e.write + e.timeout,
      latency:percentile(50), latency:percentile(99), latency.max,
      table.concat(by_status, ";")))
end
