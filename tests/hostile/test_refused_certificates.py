"""Certificates the registry does not honour: a revoked member certificate and certificates the
registry never issued (signed with the CA key in DATA/certs/ca-key.pem, naming a real member or the
operator, but never recorded) are refused UNAUTHENTICATED on every call; a BatchCheck stream opened
before its certificate was revoked is refused from its next message on. Refusals are audited but
aggregated: a flood of 2,000 refused calls writes at most a few dozen audit rows. Meanwhile normal
clients are served."""

import concurrent.futures
import datetime
import queue
import time
import uuid

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from support import (NORMAL_REQUEST, audit_rows_after, batch, check_normal, describe, figure, last_audit_id,
                     lookup_pb2_grpc, member_channel, members_pb2, members_pb2_grpc, operator_pb2,
                     operator_pb2_grpc, refusal, register_member, Server)

FLOOD = 2000
MAX_NEW_AUDIT_ROWS = 50


@pytest.fixture(scope="module")
def server():
    server = Server("certificates")
    yield server
    server.stop_cleanly()


def unissued_identity(server, uri):
    """A client certificate for `uri`, signed with the registry CA's key as the registry would sign
    one, but never issued (so never recorded) by the registry. Returns (key PEM, certificate PEM)."""
    certs = server.data / "certs"
    ca_key = serialization.load_pem_private_key((certs / "ca-key.pem").read_bytes(), password=None)
    ca = x509.load_pem_x509_certificate(server.ca)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Overdue"),
                                 x509.NameAttribute(NameOID.COMMON_NAME, uri.rsplit(":", 1)[-1])]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=True, content_commitment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName([x509.UniformResourceIdentifier(uri)]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM)


def flood(calls, count, workers=16):
    """Runs `count` calls (each a function raising grpc.RpcError or returning) on a pool; returns a
    Counter-like dict of outcomes: 'answered' or (code, reason)."""
    outcomes = {}

    def one(index):
        try:
            calls[index % len(calls)]()
            return "answered"
        except grpc.RpcError as error:
            return refusal(error)

    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        for outcome in pool.map(one, range(count)):
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def refusal_flood(server, key, cert, count, operator_calls=False):
    channel = server.channel(server.member, key, cert)
    lookup = lookup_pb2_grpc.LookupStub(channel)
    members = members_pb2_grpc.MembersStub(channel)
    calls = [lambda: lookup.CheckParty(NORMAL_REQUEST, timeout=30),
             lambda: members.ListListings(members_pb2.ListListingsRequest(), timeout=30)]
    if operator_calls:
        operator = operator_pb2_grpc.OperatorStub(channel)
        calls.append(lambda: operator.ListAudit(operator_pb2.ListAuditRequest(page_size=1), timeout=30))
    return flood(calls, count)


def audited_refusals(operator, after_id, seconds=15):
    """The audit rows after `after_id`, once at least one exists (waiting at most `seconds`: an
    aggregated refusal row may be written a little after the refusals)."""
    deadline = time.monotonic() + seconds
    while True:
        rows = audit_rows_after(operator, after_id)
        if rows or time.monotonic() > deadline:
            return rows
        time.sleep(0.25)


def test_a_flood_from_a_revoked_certificate_is_refused_and_audited_in_aggregate(server):
    operator = server.operator()
    member_id, issued = register_member(server, "Revoked Member")
    key, cert = issued.private_key_pem.encode(), issued.certificate_pem.encode()
    lookup_pb2_grpc.LookupStub(member_channel(server, issued)).CheckParty(NORMAL_REQUEST, timeout=10)
    operator.RevokeCertificate(operator_pb2.RevokeCertificateRequest(
        request_id=str(uuid.uuid4()), serial_hex=issued.serial_hex, reason="key compromised"), timeout=30)
    before_id = last_audit_id(operator)
    before_rss = server.rss_mib()
    started = time.monotonic()
    outcomes = refusal_flood(server, key, cert, FLOOD)
    elapsed = time.monotonic() - started
    rows = audited_refusals(operator, before_id)
    after_rss = server.rss_mib()
    figure("revoked_flood_calls", FLOOD)
    figure("revoked_flood_seconds", f"{elapsed:.2f}")
    figure("revoked_flood_new_audit_rows", len(rows))
    figure("revoked_flood_rss_mib_before", f"{before_rss:.1f}")
    figure("revoked_flood_rss_mib_after", f"{after_rss:.1f}")
    print(f"outcomes {outcomes}; audit rows: {[(r.actor, r.action, r.detail[:80]) for r in rows[:5]]}")
    assert sum(n for outcome, n in outcomes.items() if outcome != "answered" and outcome[0] == "UNAUTHENTICATED") \
        == FLOOD, f"every call from the revoked certificate must be UNAUTHENTICATED: {outcomes}"
    assert rows, "the refusals were not audited at all"
    assert len(rows) <= MAX_NEW_AUDIT_ROWS, \
        f"{FLOOD} refusals wrote {len(rows)} audit rows (at most {MAX_NEW_AUDIT_ROWS})"
    assert operator.ListAudit(operator_pb2.ListAuditRequest(page_size=1), timeout=30).chain_intact
    check_normal(server.lookup())
    check_normal(lookup_pb2_grpc.LookupStub(server.operator_channel()))


@pytest.mark.parametrize("who", ["member", "operator"])
def test_a_certificate_the_registry_never_issued_is_refused_and_audited_in_aggregate(server, who):
    operator = server.operator()
    if who == "member":
        member_id, issued = register_member(server, "Impersonated Member")
        uri = f"overdue:member:{member_id}"
    else:
        uri = "overdue:operator:dev-operator"
    key, cert = unissued_identity(server, uri)
    before_id = last_audit_id(operator)
    outcomes = refusal_flood(server, key, cert, FLOOD // 2, operator_calls=(who == "operator"))
    rows = audited_refusals(operator, before_id)
    figure(f"unissued_{who}_flood_new_audit_rows", len(rows))
    print(f"{uri}: outcomes {outcomes}; audit rows {len(rows)}")
    assert set(outcomes) and all(outcome != "answered" and outcome[0] == "UNAUTHENTICATED" for outcome in outcomes), \
        f"a certificate the registry never issued ({uri}) must be refused UNAUTHENTICATED: {outcomes}"
    assert rows, "the refusals were not audited at all"
    assert len(rows) <= MAX_NEW_AUDIT_ROWS, f"{FLOOD // 2} refusals wrote {len(rows)} audit rows"
    check_normal(server.lookup())


def test_a_member_batch_stream_opened_before_revocation_is_refused_from_its_next_message(server):
    operator = server.operator()
    member_id, issued = register_member(server, "Streaming Member")
    lookup = lookup_pb2_grpc.LookupStub(member_channel(server, issued))
    requests = queue.Queue()
    answers = lookup.BatchCheck(iter(requests.get, None), timeout=60)
    try:
        requests.put(batch("before"))
        first = next(answers)
        assert first.results[0].correlation_id == "before", first
        operator.RevokeCertificate(operator_pb2.RevokeCertificateRequest(
            request_id=str(uuid.uuid4()), serial_hex=issued.serial_hex, reason="member left"), timeout=30)
        requests.put(batch("after"))
        try:
            answer = next(answers)
            outcome = f"answered {answer.results[0].correlation_id!r} after the revocation"
        except StopIteration:
            outcome = "ended with OK after the revocation"
        except grpc.RpcError as error:
            outcome = error
    finally:
        requests.put(None)
        answers.cancel()
    assert isinstance(outcome, grpc.RpcError), outcome
    assert outcome.code() == grpc.StatusCode.UNAUTHENTICATED, describe(outcome)
    check_normal(server.lookup())
