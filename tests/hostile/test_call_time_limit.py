"""A client deadline can only shorten the server's call time limit, never extend it.

A slow call from outside: CheckParty with a `min_sequence` far beyond the event log waits (bounded,
2 s: ServerConfiguration.readYourWritesWait) for the read model, then answers UNAVAILABLE
SEQUENCE_NOT_YET_APPLIED. With --call-time-limit 1 that wait must be cut at the limit (about 1 s,
DEADLINE_EXCEEDED), whether the client sent no deadline or a deadline a year away. If the server
let the 1-year grpc-timeout replace its limit, the call would run the full 2 s and answer UNAVAILABLE.
If the wait were ever made shorter than the limit, this test fails (it cannot pass without the
server's limit cutting the call), and must then be given a slower call."""

import time

import grpc
import pytest

from support import NORMAL_PARTY, NORMAL_REQUEST, Server, check_normal, common_pb2, describe, figure, lookup_pb2

LIMIT = 1.0
YEAR = 365 * 86_400


@pytest.fixture(scope="module")
def server():
    server = Server("time-limit", "--call-time-limit", "1")
    yield server
    server.stop_cleanly()


SLOW = lookup_pb2.CheckPartyRequest(party=common_pb2.PartyIdentifier(value=NORMAL_PARTY), min_sequence=10**15)


class NoAnswer(Exception):
    """The call had not ended when the test stopped waiting for it."""

    def code(self):
        return None

    def details(self):
        return str(self)


def timed(stub, timeout, patience=LIMIT + 6):
    """Runs the slow call with `timeout` as its grpc-timeout (None: no deadline), waiting for it at
    most `patience` seconds (then cancelling it, so the test cannot hang on a server that never
    answers). Returns (seconds, the RpcError it ended with, or None if answered, or NoAnswer)."""
    started = time.monotonic()
    future = stub.CheckParty.future(SLOW, timeout=timeout)
    try:
        future.result(timeout=patience)
        outcome = None
    except grpc.FutureTimeoutError:
        future.cancel()
        outcome = NoAnswer(f"no answer within {patience:.0f} s")
    except grpc.RpcError as error:
        outcome = error
    return time.monotonic() - started, outcome


def test_a_deadline_a_year_away_does_not_extend_the_servers_call_time_limit(server):
    stub = server.lookup()
    report = stub.CheckParty(NORMAL_REQUEST, timeout=YEAR)  # a fast call with a 1-year deadline is served
    assert report.party.value == NORMAL_PARTY
    without, without_error = timed(stub, None)
    with_year, year_error = timed(stub, YEAR)
    figure("slow_call_seconds_without_deadline", f"{without:.2f}")
    figure("slow_call_seconds_with_1_year_deadline", f"{with_year:.2f}")
    print(f"no deadline: {without:.2f} s {describe(without_error) if without_error else 'answered'}; "
          f"1-year deadline: {with_year:.2f} s {describe(year_error) if year_error else 'answered'}")
    assert without_error is not None and without_error.code() == grpc.StatusCode.DEADLINE_EXCEEDED, (
        f"without a deadline the slow call should be cut at the {LIMIT:.0f} s limit (DEADLINE_EXCEEDED): "
        f"{describe(without_error) if without_error else 'answered'} after {without:.2f} s")
    assert year_error is not None and year_error.code() == grpc.StatusCode.DEADLINE_EXCEEDED, (
        f"a 1-year client deadline extended the server's {LIMIT:.0f} s limit: "
        f"{describe(year_error) if year_error else 'answered'} after {with_year:.2f} s")
    # Its own answer would come at 2 s; the limit's check runs every quarter of the limit.
    assert with_year < LIMIT + 1.0, f"the call ran {with_year:.2f} s, past the {LIMIT:.0f} s limit"
    check_normal(stub)

