"""Self-test of the receivers with plain Python clients (smtplib, http.client): what the
notification tests rely on them for. Fast (a few seconds); needs no registry."""

import collections
import concurrent.futures
import email.message
import http.client
import json
import smtplib
import ssl
import threading
import time
import urllib.parse

import pytest

from receivers import SMTPReceiver, TestPKI, WebhookReceiver, new_secret, signed_headers


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return TestPKI(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def smtp(pki):
    with SMTPReceiver(pki) as receiver:
        yield receiver


@pytest.fixture
def hooks(pki):
    with WebhookReceiver(pki) as receiver:
        yield receiver


# ---------------------------------------------------------------------------------------------
# PKI


def test_pki_files_and_names(pki):
    for path in (pki.ca_path, pki.server_cert_path, pki.server_key_path):
        assert path.exists() and path.stat().st_size > 0, path
    assert pki.ca_path.name == "ca.pem" and pki.server_cert_path.name == "server.pem"
    assert pki.server_key_path.name == "server-key.pem"
    assert pki.server_key_path.stat().st_mode & 0o077 == 0
    # a client trusting ca.pem only accepts the server certificate under both names
    with WebhookReceiver(pki) as receiver:
        for host in ("127.0.0.1", "localhost"):
            connection = http.client.HTTPSConnection(host, receiver.port, timeout=5,
                                                     context=pki.client_context())
            connection.request("POST", "/x", body=b"{}")
            assert connection.getresponse().status == 401  # no secret for /x
            connection.close()
        # and a client trusting another CA refuses it
        other = TestPKI()
        connection = http.client.HTTPSConnection("127.0.0.1", receiver.port, timeout=5,
                                                 context=other.client_context())
        with pytest.raises(ssl.SSLCertVerificationError):
            connection.request("POST", "/x", body=b"{}")


# ---------------------------------------------------------------------------------------------
# SMTP


def _multipart(message_id, to="member@example.test"):
    message = email.message.EmailMessage()
    message["From"] = "Overdue <notify@overdue.test>"
    message["To"] = to
    message["Subject"] = "Überfällig: ₹ 1,20,000 — Rechnung 42"
    message["Message-ID"] = f"<{message_id}>"
    message.set_content("Grüße — the plain part ✓\n")
    message.add_alternative("<p>Grüße — the <b>html</b> part ✓</p>\n", subtype="html")
    return message


def _client(receiver, login=True):
    client = smtplib.SMTP(receiver.host, receiver.port, local_hostname="client.test", timeout=5)
    client.starttls(context=receiver.pki.client_context())
    if login:
        client.login(receiver.user, receiver.password)
    return client


def test_smtp_starttls_login_multipart(smtp):
    with _client(smtp) as client:
        client.send_message(_multipart("m1@overdue.test"))
    (mail,) = smtp.wait_for(lambda m: len(m) >= 1, timeout=5)
    assert mail.message_id == "m1@overdue.test"
    assert mail.subject == "Überfällig: ₹ 1,20,000 — Rechnung 42"
    assert mail.text == "Grüße — the plain part ✓\n"
    assert mail.html == "<p>Grüße — the <b>html</b> part ✓</p>\n"
    assert mail.mail_from == "notify@overdue.test" and mail.rcpt_tos == ("member@example.test",)
    assert mail.login == smtp.user and mail.tls and mail.connection == 1
    assert smtp.connections == 1 and smtp.tls_upgrades == 1 and smtp.auth_successes == 1
    assert b"Message-ID: <m1@overdue.test>" in mail.raw


def test_smtp_url_is_percent_encoded(smtp):
    parts = urllib.parse.urlsplit(smtp.url)
    assert parts.scheme == "smtp" and parts.hostname == "127.0.0.1" and parts.port == smtp.port
    assert urllib.parse.unquote(parts.username) == smtp.user
    assert urllib.parse.unquote(parts.password) == smtp.password
    assert "@" not in parts.password and "/" not in parts.netloc.split("@")[0]


def test_smtp_refuses_mail_before_starttls(smtp):
    with smtplib.SMTP(smtp.host, smtp.port, local_hostname="client.test", timeout=5) as client:
        client.ehlo()
        assert client.has_extn("starttls") and not client.has_extn("auth")
        code, _ = client.mail("notify@overdue.test")
        assert code == 530
        code, _ = client.docmd("AUTH", "PLAIN AGZvbwBiYXI=")
        assert code == 530
    # after STARTTLS but before AUTH: still refused
    with _client(smtp, login=False) as client:
        client.ehlo()
        assert client.has_extn("auth")
        assert client.mail("notify@overdue.test")[0] == 530
    assert smtp.messages == []


def test_smtp_auth_login_mechanism(smtp):
    with _client(smtp, login=False) as client:
        client.ehlo()
        assert sorted(client.esmtp_features["auth"].split()) == ["LOGIN", "PLAIN"]
        client.user, client.password = smtp.user, smtp.password
        code, _ = client.auth("LOGIN", client.auth_login, initial_response_ok=False)
        assert code == 235
        client.send_message(_multipart("login@overdue.test"))
    assert smtp.wait_for(lambda m: len(m) == 1, timeout=5)[0].login == smtp.user


def test_smtp_wrong_password(smtp):
    with _client(smtp, login=False) as client:
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            client.login(smtp.user, smtp.password + "x")
        assert refused.value.smtp_code == 535
    assert smtp.auth_failures >= 1 and smtp.auth_successes == 0


def test_smtp_scripted_rcpt_failures_and_duplicates(smtp):
    smtp.fail_next_rcpt(2)
    smtp.reject_rcpt("Gone@Example.test")
    with _client(smtp) as client:
        for attempt in range(2):
            with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
                client.send_message(_multipart("dup@overdue.test"))
            assert refused.value.recipients["member@example.test"][0] == 451
        client.send_message(_multipart("dup@overdue.test"))
        client.send_message(_multipart("dup@overdue.test"))  # a second delivery of the same one
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            client.send_message(_multipart("other@overdue.test", to="gone@example.test"))
        assert refused.value.recipients["gone@example.test"][0] == 550
    smtp.wait_for(lambda m: len(m) >= 2, timeout=5)
    groups = smtp.messages_by_id()
    assert list(groups) == ["dup@overdue.test"] and len(groups["dup@overdue.test"]) == 2
    assert smtp.rcpt_commands == 5


def test_smtp_scripted_data_failure(smtp):
    smtp.fail_next_data(1, code=452)
    with _client(smtp) as client:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            client.send_message(_multipart("d@overdue.test"))
        assert refused.value.smtp_code == 452
        client.send_message(_multipart("d@overdue.test"))
    assert len(smtp.wait_for(lambda m: len(m) == 1, timeout=5)) == 1


def test_smtp_without_tls_offers_no_auth():
    with SMTPReceiver(None) as plain:
        with smtplib.SMTP(plain.host, plain.port, local_hostname="client.test", timeout=5) as client:
            client.ehlo()
            assert not client.has_extn("starttls") and not client.has_extn("auth")
            assert client.mail("notify@overdue.test")[0] == 530  # auth required, impossible


def test_smtp_wait_for_times_out_with_a_summary(smtp):
    started = time.monotonic()
    with pytest.raises(AssertionError, match="0 received"):
        smtp.wait_for(lambda m: len(m) > 0, timeout=0.2)
    assert time.monotonic() - started < 2


# ---------------------------------------------------------------------------------------------
# Webhooks


def _post(receiver, path, body, headers, host="127.0.0.1", connection=None):
    own = connection is None
    if own:
        connection = http.client.HTTPSConnection(host, receiver.port, timeout=5,
                                                 context=receiver.pki.client_context())
    connection.request("POST", path, body=body,
                       headers={"Content-Type": "application/json", **headers})
    response = connection.getresponse()
    response.read()
    if own:
        connection.close()
    return response


def _event(n=1):
    return json.dumps({"type": "report.filed", "timestamp": "2025-01-01T00:00:00Z",
                       "data": {"party": "27AAPFU0939F1ZV", "n": n}}).encode()


def test_webhook_signed_post_is_verified(hooks):
    secret = new_secret()
    hooks.set_secret("/member-1", secret)
    body = _event()
    response = _post(hooks, "/member-1", body, signed_headers(secret, body, "msg_1"),
                     host="localhost")
    assert response.status == 204 and response.getheader("Content-Length") is None
    (delivery,) = hooks.wait_for(lambda d: len(d) >= 1, timeout=5)
    assert delivery.verified and delivery.verified_with == (secret,) and delivery.error is None
    assert delivery.webhook_id == "msg_1" and delivery.json["data"]["n"] == 1
    assert int(delivery.webhook_timestamp) == pytest.approx(time.time(), abs=5)
    assert delivery.status == 204 and hooks.ids("/member-1") == ["msg_1"]
    assert hooks.url("/member-1").startswith("https://127.0.0.1:")
    assert hooks.url("member-1", host="localhost") == f"https://localhost:{hooks.port}/member-1"


def test_webhook_wrong_signature_is_401(hooks):
    hooks.set_secret("/member-1", new_secret())
    body = _event()
    response = _post(hooks, "/member-1", body, signed_headers(new_secret(), body, "msg_bad"))
    assert response.status == 401 and response.getheader("Content-Length") is not None
    unsigned = _post(hooks, "/member-1", body, {})
    assert unsigned.status == 401
    bad, missing = hooks.wait_for(lambda d: len(d) >= 2, timeout=5)
    assert not bad.verified and bad.status == 401 and "signature" in bad.error.lower()
    assert not missing.verified and "headers" in missing.error.lower()


def test_webhook_rotation_records_which_secret(hooks):
    old, new = new_secret(), new_secret()
    hooks.set_secret("/r", [new, old])
    body = _event()
    _post(hooks, "/r", body, signed_headers(old, body, "msg_old"))
    both = signed_headers(new, body, "msg_both")
    both["webhook-signature"] += " " + signed_headers(old, body, "msg_both")["webhook-signature"]
    _post(hooks, "/r", body, both)
    first, second = hooks.wait_for(lambda d: len(d) >= 2, timeout=5, path="/r")
    assert first.verified_with == (old,) and second.verified_with == (new, old)


def test_webhook_script_500_then_200_and_keep_alive(hooks):
    secret = new_secret()
    hooks.set_secret("/s", secret)
    hooks.script("/s", [500, 200])
    connection = http.client.HTTPSConnection("127.0.0.1", hooks.port, timeout=5,
                                             context=hooks.pki.client_context())
    body = _event()
    statuses = [_post(hooks, "/s", body, signed_headers(secret, body, "msg_s"),
                      connection=connection).status for _ in range(3)]
    connection.close()
    assert statuses == [500, 200, 200]
    deliveries = hooks.wait_for(lambda d: len(d) >= 3, path="/s", timeout=5)
    assert [d.status for d in deliveries] == [500, 200, 200]
    assert {d.connection for d in deliveries} == {1} and hooks.connections == 1
    assert collections.Counter(hooks.ids("/s")) == {"msg_s": 3}


def test_webhook_retry_after_and_gone(hooks):
    secret = new_secret()
    hooks.set_secret("/busy", secret)
    hooks.set_secret("/gone", secret)
    hooks.script("/busy", [429], retry_after=3)
    hooks.script("/gone", [410])
    body = _event()
    busy = _post(hooks, "/busy", body, signed_headers(secret, body, "msg_b"))
    assert busy.status == 429 and busy.getheader("Retry-After") == "3"
    gone = _post(hooks, "/gone", body, signed_headers(secret, body, "msg_g"))
    assert gone.status == 410 and gone.getheader("Retry-After") is None
    assert [d.retry_after for d in hooks.wait_for(lambda d: len(d) >= 2)] == ["3", None]


def test_webhook_load_keep_alive(hooks):
    """1,000 signed POSTs over 8 keep-alive connections: all answered and recorded, 8 connections
    (client and server share this process's GIL, so the rate printed is a floor)."""
    secret = new_secret()
    hooks.set_secret("/load", secret)
    body = _event()
    per_connection = 125

    def run(worker):
        connection = http.client.HTTPSConnection("127.0.0.1", hooks.port, timeout=10,
                                                 context=hooks.pki.client_context())
        statuses = []
        for i in range(per_connection):
            headers = signed_headers(secret, body, f"msg_{worker}_{i}")
            statuses.append(_post(hooks, "/load", body, headers, connection=connection).status)
        connection.close()
        return statuses

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(run, range(8)))
    elapsed = time.monotonic() - started
    assert all(status == 204 for statuses in results for status in statuses)
    deliveries = hooks.wait_for(lambda d: len(d) >= 1000, path="/load", timeout=10)
    assert len(set(d.webhook_id for d in deliveries)) == 1000 and all(d.verified for d in deliveries)
    assert hooks.connections == 8 and hooks.connection_errors == 0
    print(f"\nFIGURE webhook_receiver_requests_per_second {1000 / elapsed:.0f}", flush=True)


def test_webhook_close_drops_idle_keep_alive(pki):
    receiver = WebhookReceiver(pki)
    connection = http.client.HTTPSConnection("127.0.0.1", receiver.port, timeout=5,
                                             context=pki.client_context())
    connection.request("POST", "/x", body=b"{}")
    connection.getresponse().read()
    done = threading.Event()
    closer = threading.Thread(target=lambda: (receiver.close(), done.set()))
    closer.start()
    assert done.wait(5), "close() hung on an idle keep-alive connection"
    closer.join()
    connection.close()
