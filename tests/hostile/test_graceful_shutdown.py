"""Shutdown is graceful and bounded: SIGTERM while Health/Watch and BatchCheck streams are open and
one raw HTTP/2 client has a BatchCheck answer pending that it never reads (its flow-control window
stays shut, so the server's writes block). The process must exit 0 within --shutdown-grace + 5 s."""

import asyncio
import signal

import h2.events

from support import (NORMAL_PARTY, batch_round_trip, check_normal, common_pb2, describe, ended, figure,
                     first_answer, grpc_frame, grpc_headers, h2_connect, health_pb2, health_pb2_grpc,
                     lookup_pb2, lookup_pb2_grpc, run_async, send_data, Server)

GRACE = 3


def a_client_that_never_reads(server):
    """Opens a BatchCheck stream and sends 1,500 items (within the initial window); from then on it
    never reads, so the answers (far more than its 64 KiB window) cannot all be sent."""
    sock, connection = h2_connect(server)
    sock.settimeout(5)
    settings = False
    while not settings:  # the server's SETTINGS, so the connection is up before the request goes out
        data = sock.recv(65536)
        assert data, "the server hung up on a new HTTP/2 connection"
        settings = any(isinstance(event, h2.events.RemoteSettingsChanged) for event in connection.receive_data(data))
    stream = connection.get_next_available_stream_id()
    connection.send_headers(stream, grpc_headers(server, "/overdue.v1.Lookup/BatchCheck"))
    request = lookup_pb2.BatchCheckRequest(items=[
        lookup_pb2.BatchItem(correlation_id=f"c{i}", party=common_pb2.PartyIdentifier(value=NORMAL_PARTY))
        for i in range(1500)])
    send_data(connection, stream, grpc_frame(request))  # no END_STREAM: the stream stays open
    sock.sendall(connection.data_to_send())
    return sock


def test_sigterm_with_open_streams_and_a_client_that_never_reads_exits_0_within_the_grace():
    server = Server("shutdown", "--shutdown-grace", str(GRACE), "--max-streams-per-address", "20",
                    "--max-calls-per-address", "40", log_level="info")
    raw = None
    try:
        check_normal(server.lookup())
        raw = a_client_that_never_reads(server)

        async def scenario():
            loop = asyncio.get_running_loop()
            channel = server.aio_channel()
            watches = [health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest()) for _ in range(3)]
            watch_answers = await asyncio.gather(*(first_answer(call) for call in watches))
            batches = [lookup_pb2_grpc.LookupStub(channel).BatchCheck() for _ in range(3)]
            batch_answer = await batch_round_trip(batches[0], "before-sigterm")  # one active, two idle
            ends = {}

            async def note_end(name, call):
                end = await ended(call)
                ends[name] = (loop.time(), end)

            watchers = [asyncio.ensure_future(note_end(f"watch{i}", call)) for i, call in enumerate(watches)]
            watchers += [asyncio.ensure_future(note_end(f"batch{i}", call)) for i, call in enumerate(batches)]
            sent = loop.time()
            server.process.send_signal(signal.SIGTERM)
            while server.process.poll() is None and loop.time() - sent < GRACE + 5 + 10:
                await asyncio.sleep(0.02)  # polling the exit status: the exit is the signal
            exited = loop.time() - sent if server.process.poll() is not None else None
            await asyncio.wait(watchers, timeout=5)
            await channel.close()
            return watch_answers, batch_answer, exited, {name: (at - sent, end) for name, (at, end) in ends.items()}

        watch_answers, batch_answer, exited, ends = run_async(scenario())
    finally:
        if raw is not None:
            raw.close()
        code = server.stop(timeout=5)
    for name, (at, end) in sorted(ends.items()):
        print(f"{name} ended {at:.2f} s after SIGTERM: {describe(end)}")
    figure("sigterm_exit_seconds", f"{exited:.2f}" if exited is not None else "never")
    assert watch_answers == ["ok"] * 3, f"the Watch streams were not open: {watch_answers}"
    assert batch_answer == "before-sigterm", f"the BatchCheck stream was not open: {batch_answer}"
    assert exited is not None, f"overdued had not exited {GRACE + 15} s after SIGTERM:\n{server.log_tail()}"
    assert exited <= GRACE + 5, f"overdued took {exited:.2f} s to exit (grace {GRACE} s):\n{server.log_tail()}"
    assert code == 0, f"overdued exited with {code} after SIGTERM:\n{server.log_tail()}"
    streams = {f"watch{i}" for i in range(3)} | {f"batch{i}" for i in range(3)}
    assert set(ends) == streams, f"streams that never ended: {sorted(streams - set(ends))}"
