"""Members.Watch is a long-lived stream: a member cannot hold more of them than its stream share,
cancelled ones give their places back, and an open one ends once the member's certificate is
revoked."""

import asyncio
import signal
import uuid

import grpc
import pytest

from support import (check_normal, figure, member_channel, members_pb2, members_pb2_grpc,
                     lookup_pb2_grpc, operator_pb2, register_member, refusal, run_async, Server)

STREAMS = 4


@pytest.fixture(scope="module")
def server():
    server = Server("watch", "--max-streams-per-address", str(STREAMS), "--max-calls-per-address", "16")
    yield server
    server.stop_cleanly()


async def open_watch(stub):
    """A Watch stream that has answered (its initial state's end), or the refusal it got."""
    call = stub.Watch(members_pb2.WatchRequest(send_initial_state=True))
    try:
        message = await asyncio.wait_for(call.read(), 10)
    except grpc.aio.AioRpcError as error:
        return call, refusal(error)
    if message is grpc.aio.EOF:
        return call, ("ENDED", "")
    return call, message.WhichOneof("kind")


def test_cancelled_watch_streams_give_their_capacity_back_and_the_share_holds(server):
    _, issued = register_member(server, "Watching Traders")
    before = server.rss_mib()

    async def waves():
        channel = member_channel(server, issued, aio=True)
        stub = members_pb2_grpc.MembersStub(channel)
        outcomes = []
        for _ in range(20):
            opened = [await open_watch(stub) for _ in range(STREAMS + 1)]
            outcomes.append([outcome for _, outcome in opened])
            for call, _ in opened:
                call.cancel()
            await asyncio.sleep(0.05)  # let the cancellations reach the server before the next wave
        await channel.close()
        return outcomes

    outcomes = run_async(waves())
    after = server.rss_mib()
    figure("watch_stream_waves", len(outcomes))
    figure("watch_streams_rss_mib_before", f"{before:.1f}")
    figure("watch_streams_rss_mib_after", f"{after:.1f}")
    for wave, outcome in enumerate(outcomes):
        assert outcome[:STREAMS] == ["initial_state_end"] * STREAMS, f"wave {wave}: {outcome}"
        assert outcome[STREAMS] == ("RESOURCE_EXHAUSTED", "TOO_MANY_STREAMS"), f"wave {wave}: {outcome}"
    check_normal(lookup_pb2_grpc.LookupStub(member_channel(server, issued)))


def test_an_open_watch_ends_when_its_certificate_is_revoked(server):
    _, issued = register_member(server, "Revoked Watcher")

    async def scenario():
        channel = member_channel(server, issued, aio=True)
        call, first = await open_watch(members_pb2_grpc.MembersStub(channel))
        assert first == "initial_state_end", first
        operator = server.operator()
        operator.RevokeCertificate(operator_pb2.RevokeCertificateRequest(
            request_id=str(uuid.uuid4()), serial_hex=issued.serial_hex, reason="compromised"), timeout=30)
        # Any change to the log wakes the stream, which then finds its certificate revoked.
        register_member(server, "Someone Else")
        try:
            while True:
                message = await asyncio.wait_for(call.read(), 20)
                if message is grpc.aio.EOF:
                    return ("ENDED", "")
        except grpc.aio.AioRpcError as error:
            return refusal(error)
        finally:
            await channel.close()

    assert run_async(scenario()) == ("UNAUTHENTICATED", "CERTIFICATE_REVOKED")


def test_sigterm_with_open_watch_streams_sends_progress_then_ends_and_exits():
    grace = 3
    server = Server("watch-shutdown", "--shutdown-grace", str(grace))
    try:
        _, issued = register_member(server, "Watching At Shutdown")

        async def scenario():
            channel = member_channel(server, issued, aio=True)
            opened = [await open_watch(members_pb2_grpc.MembersStub(channel)) for _ in range(3)]
            assert [outcome for _, outcome in opened] == ["initial_state_end"] * 3, opened
            loop = asyncio.get_running_loop()
            sent = loop.time()
            server.process.send_signal(signal.SIGTERM)
            ends, lasts = [], []
            for call, _ in opened:
                last = None
                try:
                    while (message := await asyncio.wait_for(call.read(), grace + 5)) is not grpc.aio.EOF:
                        last = message.WhichOneof("kind")
                    ends.append("ENDED")
                except grpc.aio.AioRpcError as error:
                    ends.append(refusal(error)[0])
                lasts.append(last)
            await channel.close()
            return ends, lasts

        ends, lasts = run_async(scenario())
        code = server.process.wait(timeout=grace + 5)
        figure("watch_sigterm_streams_ended", ends)
        assert code == 0, f"overdued exited with {code} on SIGTERM:\n{server.log_tail()}"
        assert ends == ["UNAVAILABLE"] * 3, f"the watch streams were not told the server is ending: {ends}"
        assert lasts == ["progress"] * 3, f"a stream's last message before it ended was not progress: {lasts}"
    finally:
        server.stop()
