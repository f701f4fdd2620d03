"""Real receivers for the notification tests: a test PKI, an SMTP server that insists on STARTTLS
and AUTH, and an HTTPS server that checks Standard Webhooks signatures. Each receiver runs in this
process on a background thread, listens on 127.0.0.1 port 0 (the bound port is read back), and
records what it was sent, thread-safe, so that a test's main thread can wait for it and assert.

Every wait here is bounded and woken by a Condition when something arrives; nothing sleeps to
order events. A wait that times out raises AssertionError naming what did arrive.

    pki = TestPKI(tmp_path)                      # ca.pem, server.pem, server-key.pem
    smtp = SMTPReceiver(pki)                     # smtp.url: smtp://USER:PASSWORD@127.0.0.1:PORT
    hooks = WebhookReceiver(pki)                 # hooks.url("/member-7"): https://127.0.0.1:PORT/member-7
    hooks.set_secret("/member-7", "whsec_...")
    hooks.script("/member-7", [500, 200])
    ... the registry is started with --extra-ca pki.ca_path and delivers ...
    mails = smtp.wait_for(lambda m: len(m) >= 1, timeout=10)
    calls = hooks.wait_for(lambda d: any(x.status == 200 for x in d), timeout=10, path="/member-7")
    smtp.close(); hooks.close()                  # or use each as a context manager
"""

import asyncio
import base64
import collections
import dataclasses
import datetime
import email
import email.message
import email.policy
import hmac
import http.server
import ipaddress
import json
import logging
import os
import pathlib
import socket
import ssl
import tempfile
import threading
import time
import urllib.parse
import weakref

from aiosmtpd.smtp import SMTP, AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from standardwebhooks import Webhook

__all__ = ["TestPKI", "SMTPReceiver", "ReceivedMail", "WebhookReceiver", "WebhookDelivery"]

LOOPBACK = "127.0.0.1"


class _DropLoginDataWarning(logging.Filter):
    """aiosmtpd 1.4 sets its deprecated Session.login_data on every successful AUTH, which logs a
    WARNING ("Session.login_data is deprecated") to stderr each time: drop just that line."""

    def filter(self, record):
        return "login_data is deprecated" not in record.getMessage()


logging.getLogger("mail.log").addFilter(_DropLoginDataWarning())


def _wait(condition, items, predicate, timeout, what):
    """Waits on `condition` until predicate(items) holds; a copy of `items` then. The predicate is
    evaluated with the lock held, on every arrival: keep it cheap."""
    with condition:
        if condition.wait_for(lambda: predicate(items), timeout=timeout):
            return list(items)
        summary = "\n  ".join(repr(item) for item in items[-20:]) or "(nothing)"
        raise AssertionError(
            f"{what}: the condition did not hold within {timeout} s; "
            f"{len(items)} received (the last 20):\n  {summary}")


# ---------------------------------------------------------------------------------------------
# The PKI


class TestPKI:
    """A CA and one server certificate for the receivers, made with `cryptography` and written to
    `directory` (a new temporary directory when None):

      ca.pem          the CA certificate (give it to the registry as an extra trust root)
      server.pem      the server certificate (SAN: DNS localhost, IP 127.0.0.1, IP ::1)
      server-key.pem  its private key, PKCS#8, unencrypted, mode 0600

    `key_type` is "ec" (P-256, the default) or "rsa" (2048 bits); both certificates use it. Valid
    from an hour ago for 30 days. Two TestPKI instances are two unrelated CAs: a receiver given
    the other one's certificate is one the registry must refuse."""

    __test__ = False  # not a pytest test class, whatever its name

    def __init__(self, directory=None, *, key_type="ec"):
        self.directory = pathlib.Path(directory or tempfile.mkdtemp(prefix="overdue-notify-pki-"))
        self.directory.mkdir(parents=True, exist_ok=True)
        self.ca_path = self.directory / "ca.pem"
        self.server_cert_path = self.directory / "server.pem"
        self.server_key_path = self.directory / "server-key.pem"

        now = datetime.datetime.now(datetime.timezone.utc)
        start, end = now - datetime.timedelta(hours=1), now + datetime.timedelta(days=30)

        ca_key = self._new_key(key_type)
        ca_name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Overdue notify tests"),
                             x509.NameAttribute(NameOID.COMMON_NAME, "Overdue notify test CA")])
        ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
        ca_cert = (
            x509.CertificateBuilder()
            .subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
            .add_extension(ca_ski, critical=False)
            .sign(ca_key, hashes.SHA256()))

        server_key = self._new_key(key_type)
        server_cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Overdue notify tests"),
                x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(server_key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(digital_signature=True, key_encipherment=key_type == "rsa"),
                           critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"),
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                x509.IPAddress(ipaddress.ip_address("::1"))]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(server_key.public_key()),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))

        self.ca_pem = ca_cert.public_bytes(serialization.Encoding.PEM)
        self.server_cert_pem = server_cert.public_bytes(serialization.Encoding.PEM)
        self.server_key_pem = server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())
        self.ca_path.write_bytes(self.ca_pem)
        self.server_cert_path.write_bytes(self.server_cert_pem)
        fd = os.open(self.server_key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as key_file:
            key_file.write(self.server_key_pem)

    @staticmethod
    def _new_key(key_type):
        if key_type == "ec":
            return ec.generate_private_key(ec.SECP256R1())
        if key_type == "rsa":
            return rsa.generate_private_key(public_exponent=65537, key_size=2048)
        raise ValueError(f"key_type must be 'ec' or 'rsa', not {key_type!r}")

    def server_context(self):
        """An ssl.SSLContext for a server presenting server.pem (TLS 1.2 at least)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.server_cert_path, self.server_key_path)
        return context

    def client_context(self):
        """An ssl.SSLContext for a client that trusts ca.pem only, hostnames checked."""
        return ssl.create_default_context(cafile=str(self.ca_path))


def _key_usage(**set_bits):
    bits = dict(digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                encipher_only=False, decipher_only=False)
    bits.update(set_bits)
    return x509.KeyUsage(**bits)


# ---------------------------------------------------------------------------------------------
# SMTP


@dataclasses.dataclass(frozen=True)
class ReceivedMail:
    """One message the SMTP receiver accepted (250 after DATA)."""
    mail_from: str                      # the envelope sender (MAIL FROM)
    rcpt_tos: tuple                     # the envelope recipients that were accepted (RCPT TO)
    mail_options: tuple                 # MAIL FROM parameters, upper-cased (e.g. "BODY=8BITMIME")
    raw: bytes                          # the message as sent after DATA (CRLF, dot-unstuffed)
    message: email.message.EmailMessage  # `raw`, CRLF made LF, parsed with email.policy.default
    login: str                          # the AUTH user of the session
    tls: bool                           # whether the session had done STARTTLS (always, here)
    connection: int                     # the serial (1, 2, ...) of the connection it came on
    peer: tuple                         # the client's (address, port)
    time: float                         # time.time() when accepted
    monotonic: float                    # time.monotonic() when accepted

    @property
    def message_id(self):
        """The Message-ID header without angle brackets and surrounding space (None if absent)."""
        value = self.message["Message-ID"]
        return None if value is None else str(value).strip().strip("<>")

    @property
    def subject(self):
        """The Subject, RFC 2047 encoded-words decoded (None if absent)."""
        value = self.message["Subject"]
        return None if value is None else str(value)

    def body(self, preference=("plain",)):
        """The text of the part `message.get_body(preference)` picks, as str (charset decoded,
        transfer encoding undone); None when there is no such part."""
        part = self.message.get_body(preferencelist=preference)
        return None if part is None else part.get_content()

    @property
    def text(self):
        """The text/plain part as str (None if there is none)."""
        return self.body(("plain",))

    @property
    def html(self):
        """The text/html part as str (None if there is none)."""
        return self.body(("html",))

    def __repr__(self):
        return (f"ReceivedMail(from={self.mail_from!r}, to={list(self.rcpt_tos)!r}, "
                f"message_id={self.message_id!r}, subject={self.subject!r}, "
                f"connection={self.connection})")


class _SMTPHandler:
    """The aiosmtpd handler. Kept apart from SMTPReceiver on purpose: aiosmtpd takes every
    `handle_*` attribute of a handler for a hook and every `auth_*` one for a mechanism."""

    def __init__(self, receiver):
        self._receiver = receiver

    def handle_STARTTLS(self, server, session, envelope):
        self._receiver._count("tls_upgrades")
        return True

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return self._receiver._on_rcpt(envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):
        return self._receiver._on_data(server, session, envelope)


class SMTPReceiver:
    """An SMTP server (aiosmtpd, on its own event loop thread) on 127.0.0.1 port 0 that refuses
    MAIL before STARTTLS (530) and before AUTH (530), offers AUTH (PLAIN and LOGIN) only after
    STARTTLS, and accepts exactly `user` / `password`. With pki=None it offers no STARTTLS at all
    (so AUTH, and with it any mail, is impossible): the server a registry must not send its
    password to in clear.

    What it accepted is in `messages` (ReceivedMail, in order); `wait_for` waits for them.
    Misbehaviour on demand: `fail_next_rcpt`, `reject_rcpt`, `fail_next_data`.
    Counters: connections, tls_upgrades, auth_successes, auth_failures, rcpt_commands."""

    def __init__(self, pki, user="notify@overdue.test", password="pa:ss/w@rd #1", *,
                 hostname="localhost"):
        self.pki = pki
        self.user = user
        self.password = password
        self._user_bytes = user.encode("utf-8")
        self._password_bytes = password.encode("utf-8")
        self._condition = threading.Condition()
        self._messages = []
        self._counts = collections.Counter()
        self._fail_rcpt = collections.deque()   # codes for the next RCPT commands
        self._fail_data = collections.deque()   # codes for the next DATA commands
        self._rejected = set()                  # lower-cased addresses answered 550
        self._protocols = weakref.WeakSet()
        self._tls_context = pki.server_context() if pki is not None else None
        self._hostname = hostname
        self._handler = _SMTPHandler(self)

        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="smtp-receiver",
                                        daemon=True)
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(
            self._loop.create_server(self._new_protocol, LOOPBACK, 0), self._loop)
        self._server = future.result(timeout=10)
        self.host = LOOPBACK
        self.port = self._server.sockets[0].getsockname()[1]
        self._closed = False

    # -- addresses ----------------------------------------------------------------------------

    @property
    def url(self):
        """smtp://USER:PASSWORD@127.0.0.1:PORT, user and password percent-encoded."""
        return self.url_for(LOOPBACK)

    def url_for(self, host):
        """The same URL naming `host` (e.g. "localhost") instead of 127.0.0.1."""
        user = urllib.parse.quote(self.user, safe="")
        password = urllib.parse.quote(self.password, safe="")
        return f"smtp://{user}:{password}@{host}:{self.port}"

    # -- what arrived -------------------------------------------------------------------------

    @property
    def messages(self):
        """A copy of the accepted messages, in the order they were accepted."""
        with self._condition:
            return list(self._messages)

    def wait_for(self, predicate, timeout=10.0):
        """The accepted messages (a list of ReceivedMail) once predicate(messages) is true;
        AssertionError after `timeout` seconds. E.g. wait_for(lambda m: len(m) >= 2)."""
        return _wait(self._condition, self._messages, predicate, timeout, "SMTPReceiver.wait_for")

    def messages_by_id(self):
        """{Message-ID (no angle brackets): [ReceivedMail, ...]}: a list longer than one is a
        message delivered more than once."""
        groups = collections.defaultdict(list)
        for message in self.messages:
            groups[message.message_id].append(message)
        return dict(groups)

    def clear(self):
        """Forgets the messages received so far (not the counters, not the scripted failures)."""
        with self._condition:
            self._messages.clear()

    @property
    def connections(self):
        """TCP connections accepted so far."""
        return self._counter("connections")

    @property
    def tls_upgrades(self):
        """Successful STARTTLS handshakes so far."""
        return self._counter("tls_upgrades")

    @property
    def auth_successes(self):
        return self._counter("auth_successes")

    @property
    def auth_failures(self):
        """AUTH attempts with a wrong user or password (535)."""
        return self._counter("auth_failures")

    @property
    def rcpt_commands(self):
        """RCPT commands that reached the handler (after STARTTLS and AUTH), whatever answered."""
        return self._counter("rcpt_commands")

    # -- misbehaviour -------------------------------------------------------------------------

    def fail_next_rcpt(self, n=1, code=451):
        """The next `n` RCPT commands (any address) are answered `code` (a 4xx: try again later;
        a 5xx works too) instead of 250."""
        with self._condition:
            self._fail_rcpt.extend([code] * n)

    def reject_rcpt(self, address):
        """RCPT TO `address` (case-insensitive) is answered 550 from now on."""
        with self._condition:
            self._rejected.add(address.lower())

    def fail_next_data(self, n=1, code=451):
        """The next `n` messages are answered `code` after their DATA instead of 250, and not
        stored: the whole message went over and was refused."""
        with self._condition:
            self._fail_data.extend([code] * n)

    # -- life ---------------------------------------------------------------------------------

    def close(self):
        """Stops listening, drops open sessions, ends the loop thread. Idempotent."""
        if self._closed:
            return
        self._closed = True
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"SMTPReceiver({self.host}:{self.port}, {len(self._messages)} messages)"

    # -- inside (the loop thread) -------------------------------------------------------------

    def _new_protocol(self):
        with self._condition:
            self._counts["connections"] += 1
            serial = self._counts["connections"]
        protocol = SMTP(
            self._handler,
            hostname=self._hostname,            # never socket.getfqdn(): it can hang offline
            tls_context=self._tls_context,
            require_starttls=self._tls_context is not None,
            auth_required=True,
            auth_require_tls=True,
            authenticator=self._authenticate,
            enable_SMTPUTF8=True,
            decode_data=False,
            timeout=60,
            loop=self._loop)
        protocol._receiver_serial = serial
        self._protocols.add(protocol)
        return protocol

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        login = getattr(auth_data, "login", b"") or b""
        password = getattr(auth_data, "password", b"") or b""
        good = hmac.compare_digest(login, self._user_bytes) & hmac.compare_digest(
            password, self._password_bytes)
        self._count("auth_successes" if good else "auth_failures")
        if not good:  # handled=False: aiosmtpd then answers 535 itself
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data=login.decode("utf-8", "replace"))

    def _on_rcpt(self, envelope, address, rcpt_options):
        with self._condition:
            self._counts["rcpt_commands"] += 1
            code = self._fail_rcpt.popleft() if self._fail_rcpt else None
            rejected = address.lower() in self._rejected
        if code is not None:
            return f"{code} {code // 100}.3.0 Scripted failure for <{address}>"
        if rejected:
            return f"550 5.1.1 <{address}>: mailbox unavailable (scripted)"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    def _on_data(self, server, session, envelope):
        with self._condition:
            code = self._fail_data.popleft() if self._fail_data else None
        if code is not None:
            return f"{code} {code // 100}.3.0 Scripted failure after DATA"
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        # Parsed with LF line ends, so a part's text reads as it was written (raw keeps CRLF).
        message = email.message_from_bytes(raw.replace(b"\r\n", b"\n"), policy=email.policy.default)
        with self._condition:
            serial = len(self._messages) + 1
            self._messages.append(ReceivedMail(
                mail_from=envelope.mail_from, rcpt_tos=tuple(envelope.rcpt_tos),
                mail_options=tuple(envelope.mail_options), raw=raw, message=message,
                login=session.auth_data if isinstance(session.auth_data, str) else None,
                tls=session.ssl is not None, connection=getattr(server, "_receiver_serial", 0),
                peer=session.peer, time=time.time(), monotonic=time.monotonic()))
            self._condition.notify_all()
        return f"250 2.0.0 OK: queued as {serial}"

    async def _shutdown(self):
        self._server.close()
        for protocol in list(self._protocols):
            transport = getattr(protocol, "_original_transport", None) or protocol.transport
            if transport is not None:
                transport.abort()
        await self._server.wait_closed()
        current = asyncio.current_task()
        tasks = [task for task in asyncio.all_tasks(self._loop) if task is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _count(self, name):
        with self._condition:
            self._counts[name] += 1

    def _counter(self, name):
        with self._condition:
            return self._counts[name]


# ---------------------------------------------------------------------------------------------
# Webhooks


@dataclasses.dataclass(frozen=True)
class WebhookDelivery:
    """One request the webhook receiver answered."""
    path: str                   # the request path without its query, e.g. "/member-7"
    target: str                 # the request target as sent (with any query)
    method: str                 # "POST" (anything else is answered 405 and recorded too)
    webhook_id: str             # the webhook-id header (None if absent)
    webhook_timestamp: str      # the webhook-timestamp header as sent (None if absent)
    webhook_signature: str      # the webhook-signature header as sent (None if absent)
    headers: dict               # every header, names lower-cased (a repeated one: the last)
    body: bytes
    json: object                # the body parsed as JSON (None if it is not JSON)
    verified: bool              # some registered secret of the path verified the signature
    verified_with: tuple        # the registered secrets that verified it (both, in a rotation
                                # signed with both)
    error: str                  # why it did not verify (None when it did)
    status: int                 # the status answered
    retry_after: str            # the Retry-After answered (None if none)
    connection: int             # the serial (1, 2, ...) of the TLS connection it came on
    client: tuple               # the client's (address, port)
    time: float                 # time.time() when received
    monotonic: float            # time.monotonic() when received

    def __repr__(self):
        return (f"WebhookDelivery({self.method} {self.target} id={self.webhook_id!r} "
                f"verified={self.verified} status={self.status} connection={self.connection})")


class _Script:
    def __init__(self, statuses, retry_after):
        if not statuses:
            raise ValueError("a script needs at least one status")
        self.statuses = collections.deque(int(status) for status in statuses)
        self.retry_after = None if retry_after is None else str(retry_after)

    def next(self):
        status = self.statuses.popleft() if len(self.statuses) > 1 else self.statuses[0]
        retry_after = self.retry_after if self.retry_after is not None and status >= 300 else None
        return status, retry_after


class _WebhookHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"      # keep-alive
    server_version = "overdue-test-webhook-receiver"
    sys_version = ""
    disable_nagle_algorithm = True     # headers and body are two writes: never wait for an ACK
    timeout = 120                      # an idle keep-alive connection is dropped after this
    max_body = 16 << 20

    def log_message(self, format, *args):  # noqa: A002 - quiet: no request lines on stderr
        pass

    def do_POST(self):
        self._serve()

    def do_PUT(self):
        self._serve()

    def do_GET(self):
        self._serve()

    def do_DELETE(self):
        self._serve()

    def do_PATCH(self):
        self._serve()

    def _serve(self):
        body = self._read_body()
        if body is None:
            return
        receiver = self.server.receiver
        status, retry_after = receiver._record(self, body)
        self._answer(status, retry_after)

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks, size = [], 0
            while True:
                line = self.rfile.readline(1024)
                if not line:
                    self.close_connection = True
                    return None
                length = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if length == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                size += length
                if size > self.max_body:
                    self._answer(413, None)
                    self.close_connection = True
                    return None
                chunks.append(self.rfile.read(length))
                self.rfile.readline(1024)  # the CRLF after the chunk
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            self._answer(400, None)
            self.close_connection = True
            return None
        if length < 0 or length > self.max_body:
            self._answer(413, None)
            self.close_connection = True
            return None
        body = self.rfile.read(length) if length else b""
        if len(body) != length:
            self.close_connection = True
            return None
        return body

    def _answer(self, status, retry_after):
        self.send_response(status)
        if retry_after is not None:
            self.send_header("Retry-After", retry_after)
        if status in (204, 304) or status < 200:
            # RFC 9110 8.6: no Content-Length in a 1xx or 204 answer; it has no body by definition
            self.end_headers()
            return
        payload = f"{status} {self.responses.get(status, ('',))[0]}\n".encode()
        if status == 405:
            self.send_header("Allow", "POST")
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class _WebhookHTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False             # close() drops the open connections itself
    request_queue_size = 1024          # socketserver's default backlog of 5 drops SYNs under load
    allow_reuse_address = True

    def __init__(self, receiver, ssl_context):
        self.receiver = receiver
        self.ssl_context = ssl_context
        self.current = threading.local()
        super().__init__((LOOPBACK, 0), _WebhookHandler)

    def finish_request(self, request, client_address):
        # Runs on the connection's own thread: the TLS handshake happens here, not in accept.
        serial = self.receiver._connection_opened()
        connection = request
        try:
            if self.ssl_context is not None:
                request.settimeout(10)
                connection = self.ssl_context.wrap_socket(request, server_side=True)
            self.current.serial = serial   # the handler, made just below on this thread, reads it
            self.receiver._track(connection, True)
            self.RequestHandlerClass(connection, client_address, self)
        except (OSError, ValueError):
            self.receiver._count("connection_errors")  # handshake refused, reset, timed out
        finally:
            self.receiver._track(connection, False)
            try:
                connection.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        self.receiver._count("connection_errors")  # quiet: no traceback on stderr


class WebhookReceiver:
    """An HTTPS server (http.server, a thread per connection, HTTP/1.1 keep-alive) on 127.0.0.1
    port 0 presenting the PKI's server certificate; with pki=None, plain HTTP (for the registry's
    "no http:// URLs" refusal).

    Every request is recorded as a WebhookDelivery. Its Standard Webhooks signature is checked
    with standardwebhooks.Webhook(secret).verify(body, headers) against each secret registered
    for its path (set_secret). An unverified request (no secret for the path, a missing header, a
    wrong signature, a timestamp more than 5 minutes off) is answered 401 and leaves the path's
    script alone. A verified one is answered the path's next scripted status (script), 204 when
    there is none. Answers other than 204 carry a Content-Length."""

    def __init__(self, pki):
        self.pki = pki
        self.scheme = "https" if pki is not None else "http"
        self._condition = threading.Condition()
        self._deliveries = []
        self._secrets = {}                 # path -> [(secret, Webhook)]
        self._scripts = {}                 # path -> _Script
        self._counts = collections.Counter()
        self._open = set()
        self._server = _WebhookHTTPServer(self, pki.server_context() if pki is not None else None)
        self.host = LOOPBACK
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name="webhook-receiver", daemon=True)
        self._thread.start()
        self._closed = False

    # -- set-up -------------------------------------------------------------------------------

    def url(self, path="/", host=LOOPBACK):
        """https://127.0.0.1:PORT/path; host="localhost" for https://localhost:PORT/path."""
        return f"{self.scheme}://{host}:{self.port}{_path(path)}"

    def set_secret(self, path, secret):
        """The signing secret(s) of `path`: one "whsec_..." string, or a list of them (during a
        rotation either may verify). Replaces what was set before for the path."""
        secrets = [secret] if isinstance(secret, (str, bytes)) else list(secret)
        verifiers = [(one, Webhook(one)) for one in secrets]
        with self._condition:
            self._secrets[_path(path)] = verifiers

    def script(self, path, statuses, retry_after=None):
        """How `path` answers its next verified requests: statuses[0] first, then statuses[1], ...;
        the last one repeats. `retry_after` (seconds, or an HTTP date string) is sent as Retry-After
        with every answer of 300 or more from this script. script(path, [410]) is a gone endpoint.
        Replaces the path's previous script."""
        with self._condition:
            self._scripts[_path(path)] = _Script(statuses, retry_after)

    # -- what arrived -------------------------------------------------------------------------

    def deliveries(self, path=None):
        """A copy of the recorded requests, in arrival order (those to `path` only, if given)."""
        with self._condition:
            return [d for d in self._deliveries if path is None or d.path == _path(path)]

    def wait_for(self, predicate, timeout=10.0, path=None):
        """The recorded requests (a list of WebhookDelivery; those to `path` only, if given) once
        predicate(that list) is true; AssertionError after `timeout` seconds.
        E.g. wait_for(lambda d: any(x.status == 200 for x in d), path="/a")."""
        if path is None:
            return _wait(self._condition, self._deliveries, predicate, timeout,
                         "WebhookReceiver.wait_for")
        wanted = _path(path)
        view = _FilteredView(self._deliveries, lambda d: d.path == wanted)
        return _wait(self._condition, view, predicate, timeout, f"WebhookReceiver.wait_for({wanted})")

    def ids(self, path=None):
        """The webhook-id of every recorded request (to `path` only, if given), in arrival order;
        collections.Counter(ids) shows the duplicates."""
        return [d.webhook_id for d in self.deliveries(path)]

    def clear(self):
        """Forgets the recorded requests (not the secrets, the scripts or the counters)."""
        with self._condition:
            self._deliveries.clear()

    @property
    def connections(self):
        """TCP connections accepted so far (keep-alive: far fewer than requests)."""
        return self._counter("connections")

    @property
    def connection_errors(self):
        """Connections that ended in an error: a failed TLS handshake (e.g. a client that does not
        trust the certificate), a reset, a timeout."""
        return self._counter("connection_errors")

    # -- life ---------------------------------------------------------------------------------

    def close(self):
        """Stops listening, drops open connections, ends the server thread. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._server.shutdown()
        self._server.server_close()
        with self._condition:
            connections = list(self._open)
        for connection in connections:
            try:  # the plain socket's shutdown: the SSL object stays to the thread reading it
                socket.socket.shutdown(connection, socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"WebhookReceiver({self.url('/')}, {len(self._deliveries)} requests)"

    # -- inside (the connection threads) ------------------------------------------------------

    def _record(self, handler, body):
        target = handler.path
        path = _path(urllib.parse.urlsplit(target).path or "/")
        headers = {name.lower(): value for name, value in handler.headers.items()}
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        with self._condition:
            verifiers = list(self._secrets.get(path, ()))
        verified_with, error = [], None
        if handler.command != "POST":
            error = f"{handler.command} is not POST"
        elif not verifiers:
            error = f"no secret registered for {path}"
        else:
            for secret, verifier in verifiers:
                try:
                    verifier.verify(body, headers, json_parse=False)
                    verified_with.append(secret)
                except Exception as exception:  # noqa: BLE001 - any failure is "not verified"
                    error = f"{type(exception).__name__}: {exception}"
            if verified_with:
                error = None
        with self._condition:
            if handler.command != "POST":
                status, retry_after = 405, None
            elif not verified_with:
                status, retry_after = 401, None
            elif path in self._scripts:
                status, retry_after = self._scripts[path].next()
            else:
                status, retry_after = 204, None
            self._deliveries.append(WebhookDelivery(
                path=path, target=target, method=handler.command,
                webhook_id=headers.get("webhook-id"),
                webhook_timestamp=headers.get("webhook-timestamp"),
                webhook_signature=headers.get("webhook-signature"), headers=headers, body=body,
                json=parsed, verified=bool(verified_with), verified_with=tuple(verified_with),
                error=error, status=status, retry_after=retry_after,
                connection=getattr(handler.server.current, "serial", 0),
                client=handler.client_address, time=time.time(), monotonic=time.monotonic()))
            self._condition.notify_all()
        return status, retry_after

    def _connection_opened(self):
        with self._condition:
            self._counts["connections"] += 1
            return self._counts["connections"]

    def _track(self, connection, is_open):
        with self._condition:
            (self._open.add if is_open else self._open.discard)(connection)

    def _count(self, name):
        with self._condition:
            self._counts[name] += 1

    def _counter(self, name):
        with self._condition:
            return self._counts[name]


class _FilteredView:
    """A live, filtered, list-like view of `items` for a wait predicate (evaluated under the
    receiver's lock, so it never sees a half-appended list)."""

    def __init__(self, items, keep):
        self._items, self._keep = items, keep

    def _list(self):
        return [item for item in self._items if self._keep(item)]

    def __iter__(self):
        return iter(self._list())

    def __len__(self):
        return len(self._list())

    def __getitem__(self, index):
        return self._list()[index]

    def __bool__(self):
        return len(self) > 0


def _path(path):
    return path if path.startswith("/") else "/" + path


def signed_headers(secret, body, webhook_id, timestamp=None):
    """The three Standard Webhooks headers for `body` (bytes or str) signed with `secret`, as a
    client (or a test impersonating the registry) would send them. `timestamp` defaults to now."""
    when = timestamp or datetime.datetime.now(datetime.timezone.utc)
    data = body.decode() if isinstance(body, bytes) else body
    return {"webhook-id": webhook_id,
            "webhook-timestamp": str(int(when.timestamp())),
            "webhook-signature": Webhook(secret).sign(webhook_id, when, data)}


def new_secret():
    """A fresh "whsec_" secret: 32 random bytes, base64."""
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()


__all__ += ["signed_headers", "new_secret"]
