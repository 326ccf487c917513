"""The Lua scripts that keep a circuit breaker's state in Redis: one per step of
:class:`~stormproof.kit.breaker_state.LocalState` (acquire, release, snapshot), each the same
algorithm as the in-process one, run atomically by the server.

A script runs alone on the server, so that reading the state, changing it and applying a
threshold are one step for every process at once; and it reads the server's clock (``TIME``),
so that processes whose clocks disagree still agree on when an open breaker may try again
and which second a call counts in.

Two hashes per breaker, both refreshed to the TTL by every step (an abandoned breaker's keys
expire; a fresh one starts CLOSED):

``KEYS[1]``, the state
    ``state`` (0 CLOSED, 1 OPEN, 2 HALF_OPEN); ``gen``, the generation, +1 on each change,
    first set from the clock in microseconds, so that a permit from before the keys expired
    does not match; ``since`` (µs), when it opened, or handed out its latest trial permit;
    ``admitted``, trial permits out; ``t_calls``/``t_failures``/``t_slow``, the trial calls'
    outcomes; ``trip_calls``/``trip_failures``/``trip_slow``/``trip_why``, what opened it
    (0 recent calls, 1 trial calls, 2 trial calls that did not finish); ``refused``; and
    ``x<old><new>``, how often each change happened.
``KEYS[2]``, the sliding window (dropped whole when the breaker closes)
    ``calls``/``failures``/``slow``, running totals, and, for a count window, a ring of
    outcomes ``r<i>`` (1 failed + 2 slow) with ``next``, the slot the next outcome takes; for
    a time window, one bucket per second, ``c<i>``/``f<i>``/``s<i>`` at ``i = second % size``,
    with ``head``, the newest second.

``ARGV``: window (``count`` or ``time``), window_size, minimum_calls, failure_rate,
slow_call_rate, open_for (µs), half_open_calls, TTL (ms); then the step's own."""

from __future__ import annotations

_PRELUDE = """
local state_key, window_key = KEYS[1], KEYS[2]
local time_window = ARGV[1] == 'time'
local size = tonumber(ARGV[2])
local minimum = tonumber(ARGV[3])
local failure_rate = tonumber(ARGV[4])
local slow_rate = tonumber(ARGV[5])
local open_for = tonumber(ARGV[6])
local trials = tonumber(ARGV[7])
local ttl = tonumber(ARGV[8])

local CLOSED, OPEN, HALF_OPEN = 0, 1, 2
local BY_RECENT_CALLS, BY_TRIAL_CALLS, STALLED = 0, 1, 2

-- Microseconds as text: a Lua number formats in exponent notation from 1e14 on.
local clock = redis.call('TIME')
local now_text = clock[1] .. string.format('%06d', tonumber(clock[2]))
local now = tonumber(now_text)

local fields = redis.call('HMGET', state_key, 'state', 'gen', 'since', 'admitted')
local state, gen = tonumber(fields[1]), tonumber(fields[2])
local since, admitted = tonumber(fields[3]), tonumber(fields[4]) or 0
if state == nil then
    state, gen, since = CLOSED, now, now
    redis.call('DEL', window_key)
    redis.call('HSET', state_key, 'state', CLOSED, 'gen', now_text, 'since', now_text)
end
local start_state, start_gen = state, gen

local function touch()
    redis.call('PEXPIRE', state_key, ttl)
    redis.call('PEXPIRE', window_key, ttl)
end

local function move_to(new)
    redis.call('HINCRBY', state_key, 'x' .. state .. new, 1)
    gen = redis.call('HINCRBY', state_key, 'gen', 1)
    redis.call('HSET', state_key, 'state', new, 'since', now_text)
    state, since = new, now
end

local function over_threshold(calls, failures, slow)
    return failures / calls >= failure_rate or slow / calls >= slow_rate
end

local function trip(calls, failures, slow, why)
    redis.call('HSET', state_key, 'trip_calls', calls, 'trip_failures', failures,
        'trip_slow', slow, 'trip_why', why)
    move_to(OPEN)
end

local function trial_tally()
    local t = redis.call('HMGET', state_key, 't_calls', 't_failures', 't_slow')
    return tonumber(t[1]) or 0, tonumber(t[2]) or 0, tonumber(t[3]) or 0
end

-- OPEN for open_for: on to HALF_OPEN. HALF_OPEN with every trial call out open_for after
-- the last began (its caller may have died): back to OPEN.
local function expire()
    if state == CLOSED or now < since + open_for then
        return
    end
    if state == OPEN then
        admitted = 0
        redis.call('HSET', state_key, 'admitted', 0, 't_calls', 0, 't_failures', 0, 't_slow', 0)
        move_to(HALF_OPEN)
    elseif admitted >= trials then
        local calls, failures, slow = trial_tally()
        trip(calls, failures, slow, STALLED)
    end
end

local function totals()
    local t = redis.call('HMGET', window_key, 'calls', 'failures', 'slow')
    return tonumber(t[1]) or 0, tonumber(t[2]) or 0, tonumber(t[3]) or 0
end

-- A time window: empty the buckets of the seconds that left it (at most size of them,
-- however long it was idle); return the bucket of the newest second. A second before the
-- newest (the server's clock stepped back) counts in the newest.
local function advance()
    local second = tonumber(clock[1])
    local head = tonumber(redis.call('HGET', window_key, 'head'))
    if head ~= nil and second <= head then
        return head % size
    end
    if head ~= nil then
        local calls, failures, slow = totals()
        for stale = head + 1, math.min(second, head + size) do
            local i = stale % size
            local bucket = redis.call('HMGET', window_key, 'c' .. i, 'f' .. i, 's' .. i)
            calls = calls - (tonumber(bucket[1]) or 0)
            failures = failures - (tonumber(bucket[2]) or 0)
            slow = slow - (tonumber(bucket[3]) or 0)
            redis.call('HDEL', window_key, 'c' .. i, 'f' .. i, 's' .. i)
        end
        redis.call('HSET', window_key, 'calls', calls, 'failures', failures, 'slow', slow)
    end
    redis.call('HSET', window_key, 'head', second)
    return second % size
end

-- Count one outcome (failed, slow: 0 or 1) in the window; return its totals.
local function record(failed, slow)
    local calls, failures, slow_calls
    if time_window then
        local i = advance()
        calls, failures, slow_calls = totals()
        redis.call('HINCRBY', window_key, 'c' .. i, 1)
        redis.call('HINCRBY', window_key, 'f' .. i, failed)
        redis.call('HINCRBY', window_key, 's' .. i, slow)
        calls = calls + 1
    else
        calls, failures, slow_calls = totals()
        local i = tonumber(redis.call('HGET', window_key, 'next')) or 0
        if calls == size then
            local evicted = tonumber(redis.call('HGET', window_key, 'r' .. i)) or 0
            failures = failures - evicted % 2
            slow_calls = slow_calls - math.floor(evicted / 2)
        else
            calls = calls + 1
        end
        redis.call('HSET', window_key, 'r' .. i, failed + 2 * slow, 'next', (i + 1) % size)
    end
    failures, slow_calls = failures + failed, slow_calls + slow
    redis.call('HSET', window_key, 'calls', calls, 'failures', failures, 'slow', slow_calls)
    return calls, failures, slow_calls
end
"""

ACQUIRE = (
    _PRELUDE
    + """
-- Returns {admitted (1 or 0), start_gen, start_state, gen, state, wait (µs, when OPEN),
-- trip_calls, trip_failures, trip_slow, trip_why}.
expire()
local verdict, wait, why = 1, 0, {}
if state == HALF_OPEN and admitted < trials then
    redis.call('HINCRBY', state_key, 'admitted', 1)
    redis.call('HSET', state_key, 'since', now_text)
elseif state ~= CLOSED then
    verdict = 0
    redis.call('HINCRBY', state_key, 'refused', 1)
    if state == OPEN then
        wait = since + open_for - now
        why = redis.call('HMGET', state_key, 'trip_calls', 'trip_failures', 'trip_slow', 'trip_why')
    end
end
touch()
return {verdict, start_gen, start_state, gen, state, wait, tonumber(why[1]) or 0,
    tonumber(why[2]) or 0, tonumber(why[3]) or 0, tonumber(why[4]) or 0}
"""
)
"""``ARGV[9..]``: none."""

RELEASE = (
    _PRELUDE
    + """
-- Returns {start_gen, start_state, gen, state}.
if tonumber(ARGV[9]) == gen then
    local failed, slow = tonumber(ARGV[10]), tonumber(ARGV[11])
    if failed < 0 then
        if state == HALF_OPEN then
            redis.call('HINCRBY', state_key, 'admitted', -1)
        end
    elseif state == CLOSED then
        local calls, failures, slow_calls = record(failed, slow)
        if calls >= minimum and over_threshold(calls, failures, slow_calls) then
            trip(calls, failures, slow_calls, BY_RECENT_CALLS)
        end
    elseif state == HALF_OPEN then
        local calls = redis.call('HINCRBY', state_key, 't_calls', 1)
        local failures = redis.call('HINCRBY', state_key, 't_failures', failed)
        local slow_calls = redis.call('HINCRBY', state_key, 't_slow', slow)
        if calls >= trials then
            if over_threshold(calls, failures, slow_calls) then
                trip(calls, failures, slow_calls, BY_TRIAL_CALLS)
            else
                redis.call('DEL', window_key)
                move_to(CLOSED)
            end
        end
    end
end
touch()
return {start_gen, start_state, gen, state}
"""
)
"""``ARGV[9..]``: the permit's generation, failed (1, 0, or -1: counts as nothing), slow
(1 or 0)."""

SNAPSHOT = (
    _PRELUDE
    + """
-- Returns {start_gen, start_state, gen, state, calls, failures, slow, refused,
-- x01, x12, x21, x20}: the tally of the window the state is judged by.
expire()
local calls, failures, slow
if state == CLOSED then
    if time_window then
        advance()
    end
    calls, failures, slow = totals()
elseif state == OPEN then
    local t = redis.call('HMGET', state_key, 'trip_calls', 'trip_failures', 'trip_slow')
    calls, failures, slow = tonumber(t[1]) or 0, tonumber(t[2]) or 0, tonumber(t[3]) or 0
else
    calls, failures, slow = trial_tally()
end
local counts = redis.call('HMGET', state_key, 'refused', 'x01', 'x12', 'x21', 'x20')
touch()
return {start_gen, start_state, gen, state, calls, failures, slow, tonumber(counts[1]) or 0,
    tonumber(counts[2]) or 0, tonumber(counts[3]) or 0, tonumber(counts[4]) or 0,
    tonumber(counts[5]) or 0}
"""
)
"""``ARGV[9..]``: none."""
