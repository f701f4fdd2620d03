"""A caller that goes away gives back everything it held: thousands of Health/Watch streams opened
and cancelled, and thousands of unary checks abandoned by a 2 ms client timeout, leave the public
listener's whole budget (--max-calls-in-flight) usable again, and a normal client is served."""

import asyncio
import collections

import grpc
import pytest

from support import (HEALTH_REQUEST, NORMAL_REQUEST, cancel_all, check_normal, check_normal_within, figure,
                     health_pb2_grpc, hold_watches, lookup_pb2, lookup_pb2_grpc, one_more_watch, refusal,
                     run_async, Server)

BUDGET = 200
SLOW_REQUEST = lookup_pb2.CheckPartyRequest(party=NORMAL_REQUEST.party, min_sequence=10**15)
WAVES = 10
RAPID_PER_WAVE = 100


@pytest.fixture(scope="module")
def server():
    server = Server("capacity", "--max-calls-in-flight", str(BUDGET),
                    # Per-address shares above the listener's budget: the budget is what is measured.
                    "--max-calls-per-address", "1000", "--max-streams-per-address", "1000")
    yield server
    server.stop_cleanly()


async def whole_budget_usable(server, channels):
    """Holds BUDGET Watch streams at once (retrying refusals for up to 10 s), then checks that one
    more is refused AT_CAPACITY; cancels them. Returns (held, refusals before, the extra's outcome)."""
    held, refused = await hold_watches(channels, BUDGET, within=10.0)
    extra = await one_more_watch(channels[0]) if len(held) == BUDGET else None
    cancel_all(held)
    return len(held), refused, extra


def test_cancelled_watch_streams_give_their_capacity_back(server):
    before = server.rss_mib()

    async def attack():
        channels = [server.aio_channel() for _ in range(4)]
        waves = []
        opened = 0
        for _ in range(WAVES):
            # Rapid: opened and cancelled at once, before or just after the server admits them.
            rapid = [health_pb2_grpc.HealthStub(channels[i % 4]).Watch(HEALTH_REQUEST) for i in range(RAPID_PER_WAVE)]
            await asyncio.sleep(0)  # let the calls start
            cancel_all(rapid)
            # Then the whole budget, held until each stream answered, and cancelled.
            waves.append(await whole_budget_usable(server, channels))
            opened += RAPID_PER_WAVE + BUDGET + waves[-1][1].total() + 1
        for channel in channels:
            await channel.close()
        return waves, opened

    waves, opened = run_async(attack())
    report, retried = check_normal_within(server.lookup(), 5)
    after = server.rss_mib()
    figure("watch_streams_opened_and_cancelled", opened)
    figure("watch_rss_mib_before", f"{before:.1f}")
    figure("watch_rss_mib_after", f"{after:.1f}")
    for number, (held, refused, extra) in enumerate(waves):
        print(f"wave {number}: held {held}/{BUDGET}, refusals while filling {dict(refused)}, extra stream {extra}")
    for number, (held, refused, extra) in enumerate(waves):
        assert held == BUDGET, (
            f"wave {number}: only {held} of {BUDGET} Watch streams could be held after earlier waves were "
            f"cancelled (capacity leaked); refusals {dict(refused)}")
        assert extra == ("UNAVAILABLE", "AT_CAPACITY"), (
            f"wave {number}: stream {BUDGET + 1} should be refused UNAVAILABLE AT_CAPACITY, got {extra}")
    assert server.alive()
    assert after < before + 256, f"RSS grew from {before:.0f} to {after:.0f} MiB"


def test_unary_calls_abandoned_by_a_2ms_timeout_give_their_capacity_back(server):
    before = server.rss_mib()
    calls = 3000

    async def attack():
        channels = [server.aio_channel() for _ in range(4)]
        stubs = [lookup_pb2_grpc.LookupStub(channel) for channel in channels]
        for stub in stubs:  # connected first, so the 2 ms go to the call, not the handshake
            await stub.CheckParty(NORMAL_REQUEST, timeout=10)
        outcomes = collections.Counter()

        async def abandon(stub, index):
            # Every other one waits for a sequence the log never reaches (2 s on the server): one that
            # got there is abandoned in the middle of its work, not after it.
            try:
                await stub.CheckParty(NORMAL_REQUEST if index % 2 else SLOW_REQUEST, timeout=0.002)
                outcomes["ok"] += 1
            except grpc.aio.AioRpcError as error:
                outcomes[refusal(error)] += 1

        for start in range(0, calls, 300):
            await asyncio.gather(*(abandon(stubs[i % 4], i) for i in range(start, start + 300)))
        budget = await whole_budget_usable(server, channels)
        for channel in channels:
            await channel.close()
        return outcomes, budget

    outcomes, (held, refused, extra) = run_async(attack())
    report, retried = check_normal_within(server.lookup(), 5)
    after = server.rss_mib()
    figure("abandoned_unary_calls", calls)
    figure("abandoned_rss_mib_before", f"{before:.1f}")
    figure("abandoned_rss_mib_after", f"{after:.1f}")
    print(f"abandoned calls: {dict(outcomes)}; then held {held}/{BUDGET}, refusals {dict(refused)}, extra {extra}")
    assert outcomes[("DEADLINE_EXCEEDED", "")] > 0, f"no call was abandoned by its deadline: {dict(outcomes)}"
    assert held == BUDGET, (
        f"after {calls} abandoned calls only {held} of {BUDGET} places could be held (capacity leaked); "
        f"refusals {dict(refused)}")
    assert extra == ("UNAVAILABLE", "AT_CAPACITY"), f"call {BUDGET + 1} should be refused AT_CAPACITY, got {extra}"
    check_normal(server.lookup())
    assert after < before + 256, f"RSS grew from {before:.0f} to {after:.0f} MiB"
