"""A reconnect storm: 200 connections to the public listener opened and dropped rapidly, at every
stage: at TCP connect (FIN or RST), in the middle of the TLS handshake, right after it, after the
HTTP/2 preface, and in the middle of calls (a Health/Watch dropped once it answered; a CheckParty
whose request message never arrives). Afterwards the one address they all came from (127.0.0.1)
must have its whole share back (--max-streams-per-address streams held again, one more refused
TOO_MANY_STREAMS), and a normal client is served."""

import collections
import concurrent.futures
import socket
import struct

import h2.events
import pytest

from support import (cancel_all, check_normal, client_hello, figure, grpc_frame, grpc_headers, h2_connect,
                     health_pb2, hold_watches, one_more_watch, run_async, send_data, Server, tls_context)

STREAMS_PER_ADDRESS = 4
CONNECTIONS = 200
KINDS = ["tcp_fin", "tcp_rst", "half_client_hello", "after_handshake", "after_preface", "mid_watch", "mid_check"]


@pytest.fixture(scope="module")
def server():
    server = Server("storm", "--max-calls-in-flight", "200", "--max-calls-per-address", "8",
                    "--max-streams-per-address", str(STREAMS_PER_ADDRESS))
    yield server
    server.stop_cleanly()


def abort(sock):
    """Closes with a TCP reset rather than a FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def drop(server, index, hello):
    """One connection of the storm, dropped at the stage its index picks. Returns what it saw."""
    kind = KINDS[index % len(KINDS)]
    rude = index % 2 == 1
    if kind in ("tcp_fin", "tcp_rst", "half_client_hello"):
        sock = socket.create_connection((server.host, server.public_port), timeout=5)
        if kind == "half_client_hello":
            sock.sendall(hello[:len(hello) // 2])
        (abort if kind == "tcp_rst" or (kind == "half_client_hello" and rude) else socket.socket.close)(sock)
        return kind, "dropped"
    if kind == "after_handshake":
        raw = socket.create_connection((server.host, server.public_port), timeout=5)
        sock = tls_context(server.ca).wrap_socket(raw, server_hostname="localhost")
        abort(sock) if rude else sock.close()
        return kind, "dropped"
    sock, connection = h2_connect(server)
    if kind == "after_preface":
        abort(sock) if rude else sock.close()
        return kind, "dropped"
    stream = connection.get_next_available_stream_id()
    if kind == "mid_check":
        connection.send_headers(stream, grpc_headers(server, "/overdue.v1.Lookup/CheckParty"))
        sock.sendall(connection.data_to_send())  # the request message never follows
        abort(sock) if rude else sock.close()
        return kind, "dropped"
    # mid_watch: the call is running once its first answer (SERVING) arrives; then the client vanishes.
    connection.send_headers(stream, grpc_headers(server, "/grpc.health.v1.Health/Watch"))
    send_data(connection, stream, grpc_frame(health_pb2.HealthCheckRequest()), end_stream=True)
    sock.sendall(connection.data_to_send())
    outcome = "no answer"
    try:
        while outcome == "no answer":
            data = sock.recv(65536)
            if not data:
                outcome = "server hung up"
                break
            for event in connection.receive_data(data):
                if isinstance(event, h2.events.DataReceived) and event.stream_id == stream:
                    outcome = "answered"
                elif isinstance(event, h2.events.ResponseReceived) and event.stream_id == stream:
                    status = dict(event.headers).get(b"grpc-status")
                    if status is not None:
                        outcome = f"refused grpc-status {status.decode()}"
                elif isinstance(event, h2.events.StreamReset) and event.stream_id == stream:
                    outcome = "reset"
            sock.sendall(connection.data_to_send())
    except OSError as error:
        outcome = f"error {error.__class__.__name__}"
    abort(sock) if rude else sock.close()
    return kind, outcome


def test_a_reconnect_storm_leaves_the_address_its_whole_share_and_normal_clients_served(server):
    hello = client_hello(server)
    before = server.rss_mib()
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda index: drop(server, index, hello), range(CONNECTIONS)))
    seen = collections.Counter(results)
    after_storm = server.rss_mib()

    async def share():
        channels = [server.aio_channel() for _ in range(2)]
        held, refused = await hold_watches(channels, STREAMS_PER_ADDRESS, within=10)
        extra = await one_more_watch(channels[1]) if len(held) == STREAMS_PER_ADDRESS else None
        cancel_all(held)
        for channel in channels:
            await channel.close()
        return len(held), refused, extra

    held, refused, extra = run_async(share())
    after = server.rss_mib()
    figure("storm_connections", CONNECTIONS)
    figure("storm_rss_mib_before", f"{before:.1f}")
    figure("storm_rss_mib_after", f"{after:.1f}")
    for (kind, outcome), count in sorted(seen.items()):
        print(f"{kind}: {outcome} x{count}")
    print(f"afterwards: held {held}/{STREAMS_PER_ADDRESS}, refusals {dict(refused)}, extra {extra}, "
          f"RSS after the storm {after_storm:.1f} MiB")
    assert seen[("mid_watch", "answered")] > 0, f"no Watch call was running when its client vanished: {seen}"
    assert server.alive(), f"the server died in the storm:\n{server.log_tail()}"
    assert held == STREAMS_PER_ADDRESS, (
        f"after the storm 127.0.0.1 could hold only {held} of its {STREAMS_PER_ADDRESS} streams "
        f"(places held by dropped connections were not given back): {dict(refused)}")
    assert extra == ("RESOURCE_EXHAUSTED", "TOO_MANY_STREAMS"), f"one stream beyond the share got {extra}"
    check_normal(server.lookup())
    assert after < before + 256, f"RSS grew from {before:.0f} to {after:.0f} MiB"
