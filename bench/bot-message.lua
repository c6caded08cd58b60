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

request = function()
    i = i % #tokens + 1
    return wrk.format("POST", "/api/teams/messages", {
        ["Content-Type"] = "application/json",
        ["Authorization"] = "Bearer " .. tokens[i],
    }, body)
end
