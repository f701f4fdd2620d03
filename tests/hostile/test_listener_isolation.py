"""The public listener can never starve the member listener: the public listener flooded to its
whole budget (--max-calls-in-flight, per listener) with Health/Watch streams from eight addresses
(127.0.0.2..9 through forwarders, so no address's share stops the flood first), while a member's
CheckParty and an operator's call on the member listener are served."""

import asyncio
import collections

import grpc
import pytest

from support import (NORMAL_REQUEST, cancel_all, check_normal, check_normal_within, describe, figure,
                     first_answer, Forwarder, health_pb2, health_pb2_grpc, lookup_pb2_grpc, member_channel,
                     operator_pb2, register_member, run_async, Server)

BUDGET = 40
ADDRESSES = [f"127.0.0.{n}" for n in range(2, 10)]
PER_ADDRESS = 10  # 8 x 10 = 80 streams asked for, twice the listener's budget


@pytest.fixture(scope="module")
def server():
    server = Server("isolation", "--max-calls-in-flight", str(BUDGET), "--max-calls-per-address", str(PER_ADDRESS),
                    "--max-streams-per-address", str(PER_ADDRESS))
    yield server
    server.stop_cleanly()


def test_public_flood_to_its_budget_cannot_starve_the_member_listener(server):
    member_id, issued = register_member(server, "Isolated Member")
    members_lookup = lookup_pb2_grpc.LookupStub(member_channel(server, issued))
    members_lookup.CheckParty(NORMAL_REQUEST, timeout=10)  # connected before the flood
    operator = server.operator()
    forwarders = [Forwarder(server.public, address) for address in ADDRESSES]
    before = server.rss_mib()
    try:
        async def flood():
            channels = [server.aio_channel(forwarder.address) for forwarder in forwarders]
            calls = [health_pb2_grpc.HealthStub(channels[i % len(channels)]).Watch(health_pb2.HealthCheckRequest())
                     for i in range(len(channels) * PER_ADDRESS)]
            outcomes = await asyncio.gather(*(first_answer(call) for call in calls))
            held = [call for call, outcome in zip(calls, outcomes) if outcome == "ok"]
            refused = collections.Counter(outcome for outcome in outcomes if outcome != "ok")
            # The public listener is full now; the member listener must still serve (run in a thread so
            # the held streams stay serviced by this loop meanwhile).
            loop = asyncio.get_running_loop()

            def member_calls():
                results = {}
                for name, call in [
                    ("member_check", lambda: members_lookup.CheckParty(NORMAL_REQUEST, timeout=10)),
                    ("operator_audit",
                     lambda: operator.ListAudit(operator_pb2.ListAuditRequest(page_size=1), timeout=10)),
                ]:
                    try:
                        call()
                        results[name] = "ok"
                    except grpc.RpcError as error:
                        results[name] = describe(error)
                return results

            member_results = await loop.run_in_executor(None, member_calls)
            # And the public listener was indeed full while they were served.
            # (from 127.0.0.1, which holds nothing, so no address share can be what refuses it).
            probe = server.aio_channel()
            public_full = await first_answer(
                health_pb2_grpc.HealthStub(probe).Watch(health_pb2.HealthCheckRequest()))
            await probe.close()
            still_open = sum(not call.done() for call in held)
            cancel_all(held)
            for channel in channels:
                await channel.close()
            return len(held), refused, member_results, public_full, still_open

        held, refused, member_results, public_full, still_open = run_async(flood())
    finally:
        for forwarder in forwarders:
            forwarder.close()
    report, retried = check_normal_within(server.lookup(), 5)
    after = server.rss_mib()
    figure("isolation_public_streams_held", held)
    figure("isolation_rss_mib_before", f"{before:.1f}")
    figure("isolation_rss_mib_after", f"{after:.1f}")
    print(f"flood: held {held}, refused {dict(refused)}; member listener: {member_results}; "
          f"public while full: {public_full}; normal check after: retried {dict(retried)}")
    assert held == BUDGET, f"the flood should hold exactly the public budget of {BUDGET}: held {held}, {dict(refused)}"
    assert refused == {("UNAVAILABLE", "AT_CAPACITY"): len(ADDRESSES) * PER_ADDRESS - BUDGET}, \
        f"streams beyond the public budget should be UNAVAILABLE AT_CAPACITY: {dict(refused)}"
    assert public_full == ("UNAVAILABLE", "AT_CAPACITY"), f"the public listener was not full: {public_full}"
    assert still_open == BUDGET, f"only {still_open} of the flood's streams were still open"
    assert member_results == {"member_check": "ok", "operator_audit": "ok"}, \
        f"the member listener was starved by the public flood: {member_results}"
    check_normal(server.lookup())
