-- wrk script: POST a Teams message activity with a bearer token.  The
-- tokens file holds one token a line; with one token every request is a
-- cache hit, with many distinct ones (more than the token cache holds)
-- every request is a full RSA verification.

local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do
    tokens[#tokens + 1] = line
end

local body = os.getenv("BENCH_ACTIVITY")
local i = 0

-- BENCH_UNIQUE_IDS: a new activity id ("bench-inv" replaced) for every
-- request, so a mutating action really writes each time instead of
-- answering from its idempotency receipt
local unique = os.getenv("BENCH_UNIQUE_IDS")
local prefix = tostring({}):gsub("[^%w]", "")
local n = 0

-- BENCH_TICKETS (a file of ticket ids) with BENCH_TICKET (the id in the
-- body): each request names the next ticket, so writes spread over the
-- tenant's tickets as technicians' do, not all on one row
local tickets = {}
local ticket = os.getenv("BENCH_TICKET")
if os.getenv("BENCH_TICKETS") then
    for line in io.lines(os.getenv("BENCH_TICKETS")) do
        tickets[#tickets + 1] = line
    end
end

request = function()
    local b = body
    i = i % #tokens + 1
    if unique then
        n = n + 1
        b = body:gsub('"id":"bench%-inv"',
                      '"id":"bench-' .. prefix .. "-" .. n .. '"', 1)
    end
    if #tickets > 0 and ticket then
        b = b:gsub(ticket:gsub("%-", "%%-"), tickets[n % #tickets + 1])
    end
    return wrk.format("POST", "/api/teams/messages", {
        ["Content-Type"] = "application/json",
        ["Authorization"] = "Bearer " .. tokens[i],
    }, b)
end
