"""One address cannot lock out the others on the public listener: idle BatchCheck streams that never
send or read are capped at --max-streams-per-address (the extra ones refused RESOURCE_EXHAUSTED
TOO_MANY_STREAMS), calls at --max-calls-per-address (TOO_MANY_CALLS_IN_FLIGHT), calls per second at
--public-rate (RATE_LIMITED with RetryInfo); meanwhile a client from another address (127.0.0.2,
through a forwarder) is served.

All loopback clients share 127.0.0.1; the forwarder connects to the server from 127.0.0.2."""

import asyncio
import collections
import time

import grpc
import pytest

from support import (NORMAL_PARTY, NORMAL_REQUEST, batch_round_trip, cancel_all, check_normal, describe,
                     ended, figure, Forwarder, has_retry_info, hold_watches, lookup_pb2_grpc, one_more_watch,
                     refusal, run_async, Server)

STREAMS_PER_ADDRESS = 4
EXTRA = 3


@pytest.fixture(scope="module")
def server():
    server = Server("per-address", "--max-calls-in-flight", "200", "--max-calls-per-address", "8",
                    "--max-streams-per-address", str(STREAMS_PER_ADDRESS))
    yield server
    server.stop_cleanly()


@pytest.fixture
def other_address(server):
    forwarder = Forwarder(server.public, "127.0.0.2")
    yield forwarder
    forwarder.close()


async def wait_until_ended(calls, count, seconds):
    """Waits (at most `seconds`) until `count` of `calls` have ended; returns {call: Ended} of those."""
    tasks = {asyncio.ensure_future(ended(call)): call for call in calls}
    deadline = asyncio.get_running_loop().time() + seconds
    finished = set()
    while len(finished) < count:
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            break
        done, _ = await asyncio.wait(set(tasks) - finished, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
        finished |= done
    for task in set(tasks) - finished:
        task.cancel()
    return {tasks[task]: task.result() for task in finished}


def test_idle_batch_streams_from_one_address_are_capped_and_another_address_is_served(server, other_address):
    before = server.rss_mib()

    async def attack():
        channels = [server.aio_channel() for _ in range(2)]
        # Idle streams: opened, never written to, never read.
        calls = [lookup_pb2_grpc.LookupStub(channels[i % 2]).BatchCheck() for i in range(STREAMS_PER_ADDRESS + EXTRA)]
        refused = await wait_until_ended(calls, EXTRA, 10)
        held = [call for call in calls if call not in refused]
        # Another address, meanwhile: a unary check and a BatchCheck stream of its own are served.
        other = server.aio_channel(other_address.address)
        other_report = await lookup_pb2_grpc.LookupStub(other).CheckParty(NORMAL_REQUEST, timeout=10)
        other_batch = lookup_pb2_grpc.LookupStub(other).BatchCheck()
        other_answer = await batch_round_trip(other_batch, "other")
        await other_batch.done_writing()
        other_end = await ended(other_batch)
        # This address is still capped.
        still_capped = await batch_round_trip(lookup_pb2_grpc.LookupStub(channels[0]).BatchCheck(), "extra")
        # The held streams were admitted and still work: each answers an item now.
        still_open = [call for call in held if not call.done()]
        answers = [await batch_round_trip(call, f"held-{i}") for i, call in enumerate(held)]
        for call in held:
            await call.done_writing()
        held_ends = [await ended(call) for call in held]
        # Once they have ended, this address gets its share back (released asynchronously: retried up to 5 s).
        again, deadline = [], asyncio.get_running_loop().time() + 5
        while len(again) < STREAMS_PER_ADDRESS:
            answer = await batch_round_trip(lookup_pb2_grpc.LookupStub(channels[0]).BatchCheck(), "again")
            if answer == "again":
                again.append(answer)
            elif asyncio.get_running_loop().time() > deadline:
                again.append(answer)
            else:
                await asyncio.sleep(0.05)  # pacing of the retries
        for channel in channels + [other]:
            await channel.close()
        return (refused, held, still_open, other_report, other_answer, other_end, still_capped, answers,
                held_ends, again)

    (refused, held, still_open, other_report, other_answer, other_end, still_capped, answers, held_ends,
     again) = run_async(attack())
    after = server.rss_mib()
    figure("idle_streams_rss_mib_before", f"{before:.1f}")
    figure("idle_streams_rss_mib_after", f"{after:.1f}")
    outcomes = collections.Counter(refusal(end) for end in refused.values())
    print(f"refused: {dict(outcomes)}; held {len(held)}; other address: {other_answer}, {other_end.code()}; "
          f"still capped: {still_capped}; held answers {answers}; again {again}")
    assert len(refused) == EXTRA, (
        f"{STREAMS_PER_ADDRESS + EXTRA} idle streams from one address: expected {EXTRA} refused, "
        f"{len(refused)} ended: {dict(outcomes)}")
    assert outcomes == {("RESOURCE_EXHAUSTED", "TOO_MANY_STREAMS"): EXTRA}, \
        f"the extra streams should be RESOURCE_EXHAUSTED TOO_MANY_STREAMS: {[describe(e) for e in refused.values()]}"
    assert other_report.party.value == NORMAL_PARTY
    assert other_answer == "other", f"another address's BatchCheck was not served: {other_answer}"
    assert other_end.code() == grpc.StatusCode.OK, describe(other_end)
    assert still_capped == ("RESOURCE_EXHAUSTED", "TOO_MANY_STREAMS"), f"one more stream got {still_capped}"
    assert len(still_open) == STREAMS_PER_ADDRESS, "the admitted idle streams stay open"
    assert answers == [f"held-{i}" for i in range(STREAMS_PER_ADDRESS)], f"held streams answered {answers}"
    assert all(end.code() == grpc.StatusCode.OK for end in held_ends), [describe(e) for e in held_ends]
    assert again == ["again"] * STREAMS_PER_ADDRESS, f"after the streams ended, this address got {again}"
    check_normal(server.lookup())


@pytest.fixture(scope="module")
def calls_server():
    # Streams above calls: the calls share is what a fifth call meets.
    server = Server("per-address-calls", "--max-calls-in-flight", "200", "--max-calls-per-address", "4",
                    "--max-streams-per-address", "8")
    yield server
    server.stop_cleanly()


def test_one_address_holding_its_calls_share_is_refused_and_another_address_is_served(calls_server):
    server = calls_server
    forwarder = Forwarder(server.public, "127.0.0.2")
    try:
        async def attack():
            channels = [server.aio_channel() for _ in range(2)]
            held, refused = await hold_watches(channels, 4, within=5)
            fifth_stream = await one_more_watch(channels[1])
            try:
                await lookup_pb2_grpc.LookupStub(channels[0]).CheckParty(NORMAL_REQUEST, timeout=10)
                unary = "ok"
            except grpc.aio.AioRpcError as error:
                unary = refusal(error)
            other = server.aio_channel(forwarder.address)
            try:
                await lookup_pb2_grpc.LookupStub(other).CheckParty(NORMAL_REQUEST, timeout=10)
                other_unary = "ok"
            except grpc.aio.AioRpcError as error:
                other_unary = describe(error)
            cancel_all(held)
            for channel in channels + [other]:
                await channel.close()
            return len(held), refused, fifth_stream, unary, other_unary

        held, refused, fifth_stream, unary, other_unary = run_async(attack())
    finally:
        forwarder.close()
    print(f"held {held}, refusals {dict(refused)}, fifth stream {fifth_stream}, unary {unary}, other {other_unary}")
    assert held == 4, f"4 streams (the calls share) should be admitted: {held}, refusals {dict(refused)}"
    assert fifth_stream == ("RESOURCE_EXHAUSTED", "TOO_MANY_CALLS_IN_FLIGHT"), f"a fifth stream got {fifth_stream}"
    assert unary == ("RESOURCE_EXHAUSTED", "TOO_MANY_CALLS_IN_FLIGHT"), f"a unary call beyond the share got {unary}"
    assert other_unary == "ok", f"another address was not served: {other_unary}"


@pytest.fixture(scope="module")
def rate_server():
    server = Server("rate", public_rate="5")
    yield server
    server.stop_cleanly()


def test_one_address_over_its_rate_is_limited_with_retry_info_and_another_address_is_served(rate_server):
    server = rate_server
    stub = server.lookup()
    outcomes = collections.Counter()
    limited = None
    started = time.monotonic()
    for _ in range(40):
        try:
            check_normal(stub)
            outcomes["ok"] += 1
        except grpc.RpcError as error:
            outcomes[refusal(error)] += 1
            limited = limited or error
    elapsed = time.monotonic() - started
    forwarder = Forwarder(server.public, "127.0.0.2")
    try:
        check_normal(server.lookup(forwarder.address))
    finally:
        forwarder.close()
    print(f"40 calls in {elapsed:.2f} s at 5/s (burst 10): {dict(outcomes)}")
    assert outcomes[("RESOURCE_EXHAUSTED", "RATE_LIMITED")] > 0, f"no call was rate limited: {dict(outcomes)}"
    assert set(outcomes) <= {"ok", ("RESOURCE_EXHAUSTED", "RATE_LIMITED")}, dict(outcomes)
    assert outcomes["ok"] <= 10 + 5 * elapsed + 1, f"more calls served than the rate allows: {dict(outcomes)}"
    assert has_retry_info(limited), f"a rate-limited call carries RetryInfo: {describe(limited)}"
