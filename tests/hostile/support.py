"""Shared machinery for the hostile tests: a real `overdued` per configuration, TLS and mutual-TLS
channels (sync and asyncio), a TCP forwarder that reaches the server from another loopback source
address, raw HTTP/2 connections, error-detail decoding, member onboarding, and RSS figures.

Every wait here is bounded; nothing sleeps to order events when a signal (an answer, a status, a
file, an exit) exists. Assertions are made by the tests, in the main thread."""

import asyncio
import atexit
import collections
import datetime
import json
import os
import pathlib
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid

os.environ.setdefault("GRPC_VERBOSITY", "ERROR")  # grpc core's INFO lines (GOAWAY received...) are noise here

import grpc  # noqa: E402
import grpc.aio  # noqa: E402
import h2.config  # noqa: E402
import h2.connection  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "interop"))
from stubs import common_pb2, error_details_pb2, health_pb2, health_pb2_grpc, status_pb2  # noqa: E402,F401
from stubs import lookup_pb2, lookup_pb2_grpc, members_pb2, members_pb2_grpc  # noqa: E402,F401
from stubs import operator_pb2, operator_pb2_grpc  # noqa: E402,F401

OVERDUED = os.environ.get("OVERDUED", str(ROOT / ".build" / "debug" / "overdued"))

# A party nobody files against in these tests: a normal check of it returns a CLEAR report.
NORMAL_PARTY = "27AAPFU0939F1ZV"
NORMAL_REQUEST = lookup_pb2.CheckPartyRequest(party=common_pb2.PartyIdentifier(value=NORMAL_PARTY))


_LOOP = None


def run_async(coroutine):
    """Runs `coroutine` on the one event loop this process uses for grpc.aio (grpc's completion
    queue poller is bound to one loop: a new loop per test, as asyncio.run makes, has it raise
    BlockingIOError in callbacks)."""
    global _LOOP
    if _LOOP is None:
        _LOOP = asyncio.new_event_loop()
        asyncio.set_event_loop(_LOOP)
    return _LOOP.run_until_complete(coroutine)


def figure(name, value):
    """A figure for the report; collect them with `pytest -s | grep ^FIGURE`."""
    print(f"\nFIGURE {name} {value}", flush=True)


# ---------------------------------------------------------------------------------------------
# The server


_RUNNING = []


@atexit.register
def _kill_leftovers():
    for process in _RUNNING:
        if process.poll() is None:
            process.kill()


class Server:
    """One `overdued` on its own temporary data directory, both listeners on port 0. Its output
    goes to DATA/overdued.log (a pipe nobody reads could stall it)."""

    def __init__(self, name, *flags, public_rate="0", member_rate="0", log_level="error", data=None):
        """`data`: an existing data directory to start on again (a restart), else a new one."""
        self.data = pathlib.Path(data) if data else pathlib.Path(tempfile.mkdtemp(prefix=f"overdue-hostile-{name}-"))
        (self.data / "listeners.json").unlink(missing_ok=True)
        self.log_path = self.data / f"overdued-{len(list(self.data.glob('overdued*.log')))}.log"
        self.args = [OVERDUED, "--data-dir", str(self.data), "--public-address", "127.0.0.1:0",
                     "--member-address", "127.0.0.1:0", "--log-level", log_level,
                     "--public-rate", str(public_rate), "--member-rate", str(member_rate), *flags]
        if not os.path.exists(OVERDUED):
            raise AssertionError(f"no overdued binary at {OVERDUED} (set $OVERDUED)")
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(self.args, stdout=self._log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)
        _RUNNING.append(self.process)
        listeners = self.data / "listeners.json"
        deadline = time.monotonic() + 60
        while not listeners.exists():
            if self.process.poll() is not None:
                raise AssertionError(
                    f"overdued exited with {self.process.returncode} at start "
                    f"({' '.join(self.args[1:])}):\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"overdued did not write listeners.json in 60 s:\n{self.log_tail()}")
            time.sleep(0.05)
        addresses = json.loads(listeners.read_text())
        self.public = addresses["public"]
        self.member = addresses["member"]
        self.host, port = self.public.rsplit(":", 1)
        self.public_port = int(port)
        self.member_port = int(self.member.rsplit(":", 1)[1])
        certs = self.data / "certs"
        self.ca = (certs / "ca.pem").read_bytes()
        self.operator_key = (certs / "operator" / "key.pem").read_bytes()
        self.operator_cert = (certs / "operator" / "cert.pem").read_bytes()

    @property
    def pid(self):
        return self.process.pid

    def alive(self):
        return self.process.poll() is None

    def log_tail(self, lines=30):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def rss_mib(self):
        for line in pathlib.Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self, timeout=30):
        """SIGTERM and wait; the exit status (None if it had to be killed)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                self._log.close()
                return None
        self._log.close()
        return self.process.returncode

    def stop_cleanly(self):
        """For a fixture's teardown: the server must still be running, and exit 0 on SIGTERM."""
        was_alive = self.alive()
        code = self.stop()
        assert was_alive, f"overdued died during the tests (status {code}):\n{self.log_tail()}"
        assert code == 0, f"overdued exited with {code} on SIGTERM:\n{self.log_tail()}"

    # -- channels -----------------------------------------------------------------------------

    def channel(self, address=None, key=None, cert=None, **options):
        return secure_channel(address or self.public, self.ca, key, cert, **options)

    def operator_channel(self):
        return self.channel(self.member, self.operator_key, self.operator_cert)

    def aio_channel(self, address=None, key=None, cert=None):
        return aio_secure_channel(address or self.public, self.ca, key, cert)

    def lookup(self, address=None):
        return lookup_pb2_grpc.LookupStub(self.channel(address))

    def operator(self):
        return operator_pb2_grpc.OperatorStub(self.operator_channel())


_channel_serial = 0
_serial_lock = threading.Lock()


def _unique_options(extra=()):
    """Channel options that give each channel its own connection (a distinct argument keeps grpc
    from sharing a subchannel between channels), names the server `localhost` for TLS."""
    global _channel_serial
    with _serial_lock:
        _channel_serial += 1
        serial = _channel_serial
    return [("grpc.ssl_target_name_override", "localhost"), ("grpc.use_local_subchannel_pool", 1),
            ("hostile.channel", serial), ("grpc.max_receive_message_length", 64 << 20),
            ("grpc.enable_retries", 0), *extra]


def secure_channel(address, ca, key=None, cert=None, **options):
    credentials = grpc.ssl_channel_credentials(root_certificates=ca, private_key=key, certificate_chain=cert)
    return grpc.secure_channel(address, credentials, options=_unique_options(options.items()))


def aio_secure_channel(address, ca, key=None, cert=None):
    credentials = grpc.ssl_channel_credentials(root_certificates=ca, private_key=key, certificate_chain=cert)
    return grpc.aio.secure_channel(address, credentials, options=_unique_options())


# ---------------------------------------------------------------------------------------------
# Error details


class Ended:
    """A call's end as an error-like value (code, details, trailers), for asyncio calls whose
    status was awaited rather than raised."""

    def __init__(self, code, message, trailers):
        self._code, self._message, self._trailers = code, message, trailers

    def code(self):
        return self._code

    def details(self):
        return self._message

    def trailing_metadata(self):
        return self._trailers


async def ended(call):
    """How an asyncio call ended, as an `Ended`."""
    return Ended(await call.code(), await call.details(), await call.trailing_metadata())


def status_details(error):
    """The google.rpc.Status a failed call carried in grpc-status-details-bin, or None."""
    try:
        metadata = error.trailing_metadata() or ()
    except Exception:  # noqa: BLE001 - a call that never got trailers
        return None
    for key, value in metadata:
        if key == "grpc-status-details-bin":
            status = status_pb2.Status()
            status.ParseFromString(value)
            return status
    return None


def _details(error, kind):
    status = status_details(error)
    found = []
    for detail in (status.details if status else ()):
        message = kind()
        if detail.Is(message.DESCRIPTOR):
            detail.Unpack(message)
            found.append(message)
    return found


def reasons(error):
    return [info.reason for info in _details(error, error_details_pb2.ErrorInfo)]


def domains(error):
    return [info.domain for info in _details(error, error_details_pb2.ErrorInfo)]


def fields(error):
    return [v.field for bad in _details(error, error_details_pb2.BadRequest) for v in bad.field_violations]


def has_retry_info(error):
    return bool(_details(error, error_details_pb2.RetryInfo))


def describe(error):
    try:
        code = error.code()
        message = error.details()
    except Exception:  # noqa: BLE001
        return repr(error)
    return f"{code.name if code else None} {message!r} reasons={reasons(error)} fields={fields(error)}"


def refusal(error):
    """(code name, first ErrorInfo reason or '') of a failed call: what a Counter of refusals counts."""
    found = reasons(error)
    code = error.code()
    return (code.name if code else "NONE", found[0] if found else "")


def assert_clean_refusal(error, code, field=None, reason=None):
    """A refusal as the contract states it: the code, the field named in BadRequest, the reason in
    ErrorInfo (domain overdue.v1); never UNKNOWN, never a storage engine's message."""
    text = describe(error)
    assert error.code() != grpc.StatusCode.UNKNOWN, f"UNKNOWN is never an answer: {text}"
    assert "sqlite" not in (error.details() or "").lower(), f"an SQLite message leaked: {text}"
    assert error.code() == code, f"expected {code.name}, got {text}"
    if field is not None:
        assert field in fields(error), f"expected a BadRequest field violation for {field!r}, got {text}"
    if reason is not None:
        assert reason in reasons(error), f"expected ErrorInfo reason {reason!r}, got {text}"
        assert "overdue.v1" in domains(error), f"ErrorInfo domain should be overdue.v1: {text}"


# ---------------------------------------------------------------------------------------------
# Normal clients


def check_normal(stub, timeout=10):
    """A normal public check; returns the report (asserting it is one)."""
    report = stub.CheckParty(NORMAL_REQUEST, timeout=timeout)
    assert report.party.value == NORMAL_PARTY, f"unexpected report {report}"
    assert report.status == common_pb2.IMPACT_STATUS_CLEAR, f"unexpected report {report}"
    return report


def check_normal_within(stub, seconds):
    """A normal check that must succeed within `seconds`: calls refused only for capacity are retried
    meanwhile (capacity given back by cancelled calls is released asynchronously by the server).
    Returns (report, refusals seen before it)."""
    deadline = time.monotonic() + seconds
    seen = collections.Counter()
    while True:
        try:
            return check_normal(stub), seen
        except grpc.RpcError as error:
            seen[refusal(error)] += 1
            capacity = error.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED)
            if not capacity or time.monotonic() > deadline:
                raise AssertionError(f"a normal check was not served: {describe(error)}; before it: {dict(seen)}")
            time.sleep(0.05)


# ---------------------------------------------------------------------------------------------
# Streams held open (asyncio)

HEALTH_REQUEST = health_pb2.HealthCheckRequest()


async def first_answer(call, timeout=10.0):
    """'ok' once a server-streaming call gave its first message, else the refusal (code, reason)."""
    try:
        message = await asyncio.wait_for(call.read(), timeout)
    except grpc.aio.AioRpcError as error:
        return refusal(error)
    except asyncio.TimeoutError:
        return ("NO_ANSWER", f"nothing within {timeout} s")
    if message is grpc.aio.EOF:
        return ("ENDED", "")
    return "ok"


async def hold_watches(channels, count, within=10.0, start=0):
    """Opens `count` Health/Watch streams spread over `channels`, each holding a place once it has
    answered SERVING. Refused ones are opened again until `within` seconds have passed (capacity
    given back by cancelled calls is released asynchronously). Returns (held calls, Counter of
    refusals seen)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    held, refused = [], collections.Counter()
    index = start
    while len(held) < count:
        calls = []
        for _ in range(count - len(held)):
            stub = health_pb2_grpc.HealthStub(channels[index % len(channels)])
            calls.append(stub.Watch(HEALTH_REQUEST))
            index += 1
        outcomes = await asyncio.gather(*(first_answer(call) for call in calls))
        for call, outcome in zip(calls, outcomes):
            if outcome == "ok":
                held.append(call)
            else:
                refused[outcome] += 1
        if len(held) < count:
            if loop.time() > deadline:
                break
            await asyncio.sleep(0.05)  # pacing of the retries, not an ordering
    return held, refused


async def one_more_watch(channel):
    """What an extra Health/Watch stream gets: 'ok' or its refusal; it is cancelled after."""
    call = health_pb2_grpc.HealthStub(channel).Watch(HEALTH_REQUEST)
    outcome = await first_answer(call, timeout=10.0)
    call.cancel()
    return outcome


def cancel_all(calls):
    for call in calls:
        call.cancel()


# BatchCheck


def batch(correlation, value=NORMAL_PARTY):
    return lookup_pb2.BatchCheckRequest(items=[lookup_pb2.BatchItem(
        correlation_id=correlation, party=common_pb2.PartyIdentifier(value=value))])


async def batch_round_trip(call, correlation):
    """Sends one item on a BatchCheck call and reads its answer: the correlation id answered, or the
    call's refusal (code, reason)."""
    try:
        await call.write(batch(correlation))
        answer = await asyncio.wait_for(call.read(), 10)
    except (grpc.aio.AioRpcError, asyncio.InvalidStateError):
        return refusal(await ended(call))
    except asyncio.TimeoutError:
        return ("NO_ANSWER", "")
    if answer is grpc.aio.EOF:
        return refusal(await ended(call))
    return answer.results[0].correlation_id


# ---------------------------------------------------------------------------------------------
# A TCP forwarder: the server sees its connections come from another loopback address


class Forwarder:
    """Listens on 127.0.0.1:0 and forwards each connection to `target` from `source_ip` (any
    127/8 address: Linux routes all of them to lo). A grpc client pointed at `address` (TLS name
    `localhost`) is, to the server, a client at `source_ip`."""

    def __init__(self, target, source_ip):
        host, port = target.rsplit(":", 1)
        self.target = (host, int(port))
        self.source_ip = source_ip
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.listener.getsockname()[1]}"
        self.sockets = []
        self.lock = threading.Lock()
        self.closed = False
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                upstream.bind((self.source_ip, 0))
                upstream.connect(self.target)
            except OSError:
                client.close()
                continue
            for sock in (client, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.lock:
                if self.closed:
                    client.close()
                    upstream.close()
                    return
                self.sockets += [client, upstream]
                self.connections += 1
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _pump(source, destination):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                destination.sendall(data)
        except OSError:
            pass
        for sock in (source, destination):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        with self.lock:
            self.closed = True
            sockets, self.sockets = self.sockets, []
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


# ---------------------------------------------------------------------------------------------
# Raw HTTP/2 (for clients no well-behaved library would be)


def tls_context(ca):
    context = ssl.create_default_context(cadata=ca.decode())
    context.set_alpn_protocols(["h2"])
    return context


def h2_connect(server, port=None):
    """A TLS + HTTP/2 connection to the public listener (preface sent), as (socket, H2Connection)."""
    raw = socket.create_connection((server.host, port or server.public_port), timeout=10)
    sock = tls_context(server.ca).wrap_socket(raw, server_hostname="localhost")
    connection = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    connection.initiate_connection()
    sock.sendall(connection.data_to_send())
    return sock, connection


def grpc_headers(server, path):
    return [(":method", "POST"), (":scheme", "https"), (":path", path),
            (":authority", f"localhost:{server.public_port}"), ("content-type", "application/grpc"),
            ("te", "trailers")]


def grpc_frame(message):
    data = message.SerializeToString()
    return b"\x00" + len(data).to_bytes(4, "big") + data


def send_data(connection, stream, data, end_stream=False):
    """Sends `data` on `stream` in frames the peer accepts (within the initial window)."""
    size = connection.max_outbound_frame_size
    for offset in range(0, len(data), size):
        last = offset + size >= len(data)
        connection.send_data(stream, data[offset:offset + size], end_stream=end_stream and last)


def client_hello(server):
    """The bytes of a TLS ClientHello for the server (to cut a handshake short)."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = tls_context(server.ca).wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


# ---------------------------------------------------------------------------------------------
# Parties, members, filings

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def gstin_check(first14):
    total = 0
    for index, char in enumerate(first14):
        product = _ALPHABET.index(char) * (1 if index % 2 == 0 else 2)
        total += product // 36 + product % 36
    return _ALPHABET[(36 - total % 36) % 36]


def gstin(number, state="27"):
    """A valid business GSTIN (a company's PAN, 4th letter C), distinct for each `number` < 26*10,000."""
    letter = _ALPHABET[10 + (number // 10_000) % 26]
    pan = f"AAB{'C'}{letter}{number % 10_000:04d}Z"
    first14 = f"{state}{pan}1Z"
    return first14 + gstin_check(first14)


assert gstin_check("27AAPFU0939F1Z") == "V" and gstin_check("33AAACH7409R1Z") == "8"

_party_counter = iter(range(1, 10_000_000))
_RUN = int(time.time()) % 1000


def fresh_party():
    """A valid GSTIN no other test in this run uses."""
    return gstin(_RUN * 1000 + next(_party_counter))


def register_member(server, name):
    """Registers a member and issues it a certificate (server-generated key). Returns
    (member_id, IssueMemberCertificateResponse)."""
    operator = server.operator()
    record = operator.RegisterMember(operator_pb2.RegisterMemberRequest(
        request_id=str(uuid.uuid4()), display_name=name, sector="Testing",
        identifier=common_pb2.PartyIdentifier(value=fresh_party())), timeout=30)
    issued = operator.IssueMemberCertificate(operator_pb2.IssueMemberCertificateRequest(
        request_id=str(uuid.uuid4()), member_id=record.member_id), timeout=30)
    return record.member_id, issued


def member_channel(server, issued, aio=False):
    key, cert = issued.private_key_pem.encode(), issued.certificate_pem.encode()
    if aio:
        return server.aio_channel(server.member, key, cert)
    return server.channel(server.member, key, cert)


def day(days_ago):
    return (datetime.date.today() - datetime.timedelta(days=days_ago)).isoformat()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17


def filing(party=None, number="INV-1", amount=500_000_00, legal_name=None, evidence=None):
    party = party or fresh_party()
    return members_pb2.FileDefaultRequest(
        request_id=str(uuid.uuid4()), party=common_pb2.PartyIdentifier(value=party),
        legal_name=legal_name if legal_name is not None else f"Buyer {party}", currency="INR",
        notice_served_on=day(20),
        invoices=[common_pb2.Invoice(number=number, issued_on=day(130), due_on=day(100), amount_minor=amount)],
        evidence=evidence if evidence is not None else [
            common_pb2.Evidence(description="invoice.pdf", content_type="application/pdf", content=PDF)])


def audit_rows_after(operator, after_id):
    """Every audit row with id > after_id (paged)."""
    rows = []
    while True:
        page = operator.ListAudit(operator_pb2.ListAuditRequest(after_id=after_id, page_size=1000), timeout=60)
        rows += page.rows
        if len(page.rows) < 1000:
            return rows
        after_id = page.rows[-1].id


def last_audit_id(operator):
    rows = audit_rows_after(operator, 0)
    return rows[-1].id if rows else 0
