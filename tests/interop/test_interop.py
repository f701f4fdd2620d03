"""Interoperability: an independent client (Python grpcio, stubs generated from proto/ only)
runs the registry's whole flow against a real `overdued` process over TLS and mutual TLS."""

import datetime
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time
import uuid

import grpc
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from stubs import common_pb2, error_details_pb2, health_pb2, health_pb2_grpc, status_pb2  # noqa: E402
from stubs import lookup_pb2, lookup_pb2_grpc, members_pb2, members_pb2_grpc  # noqa: E402
from stubs import operator_pb2, operator_pb2_grpc  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
OVERDUED = os.environ.get("OVERDUED", str(ROOT / ".build" / "debug" / "overdued"))


@pytest.fixture(scope="module")
def server():
    data = pathlib.Path(tempfile.mkdtemp(prefix="overdue-interop-"))
    process = subprocess.Popen(
        [OVERDUED, "--data-dir", str(data), "--public-address", "127.0.0.1:0", "--member-address", "127.0.0.1:0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    listeners = data / "listeners.json"
    deadline = time.time() + 60
    while not listeners.exists():
        assert process.poll() is None, process.stdout.read().decode()
        assert time.time() < deadline, "overdued did not start"
        time.sleep(0.1)
    addresses = json.loads(listeners.read_text())
    yield {"data": data, **addresses}
    process.terminate()
    assert process.wait(timeout=30) == 0, "overdued did not shut down cleanly on SIGTERM"


def channel(address, ca, key=None, cert=None):
    credentials = grpc.ssl_channel_credentials(root_certificates=ca, private_key=key, certificate_chain=cert)
    return grpc.secure_channel(address, credentials, options=[("grpc.ssl_target_name_override", "localhost")])


def read(path):
    return pathlib.Path(path).read_bytes()


def status_details(error):
    """The google.rpc.Status a failed call carried in grpc-status-details-bin."""
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status()
            status.ParseFromString(value)
            return status
    return None


def test_whole_flow_from_an_independent_client(server):
    certs = server["data"] / "certs"
    ca = read(certs / "ca.pem")
    today = datetime.date.today()
    day = lambda n: (today - datetime.timedelta(days=n)).isoformat()  # noqa: E731

    public = channel(server["public"], ca)
    lookup = lookup_pb2_grpc.LookupStub(public)
    health = health_pb2_grpc.HealthStub(public).Check(health_pb2.HealthCheckRequest())
    assert health.status == health_pb2.HealthCheckResponse.SERVING

    operator_channel = channel(server["member"], ca, read(certs / "operator/key.pem"), read(certs / "operator/cert.pem"))
    operator = operator_pb2_grpc.OperatorStub(operator_channel)
    member_record = operator.RegisterMember(operator_pb2.RegisterMemberRequest(
        request_id=str(uuid.uuid4()), display_name="Kaveri Foods", sector="Food wholesale",
        identifier=common_pb2.PartyIdentifier(value="33AAACH7409R1Z8")))
    issued = operator.IssueMemberCertificate(operator_pb2.IssueMemberCertificateRequest(
        request_id=str(uuid.uuid4()), member_id=member_record.member_id))
    assert issued.private_key_pem, "a server-generated key is returned once"

    member_channel = channel(server["member"], ca, issued.private_key_pem.encode(), issued.certificate_pem.encode())
    members = members_pb2_grpc.MembersStub(member_channel)
    filing = members_pb2.FileDefaultRequest(
        request_id=str(uuid.uuid4()), party=common_pb2.PartyIdentifier(value="27AAACT2727Q1ZW"),
        legal_name="Tata Trading Example", currency="INR", notice_served_on=day(20),
        invoices=[common_pb2.Invoice(number="K-77", issued_on=day(130), due_on=day(100), amount_minor=500_000_00)],
        evidence=[common_pb2.Evidence(description="invoice.pdf", content_type="application/pdf", content=b"%PDF-1.4 K-77")])
    receipt = members.FileDefault(filing)
    assert receipt.state == common_pb2.LISTING_STATE_PENDING
    assert members.FileDefault(filing) == receipt, "a retried request id returns the first receipt"

    clear = lookup.CheckParty(lookup_pb2.CheckPartyRequest(party=common_pb2.PartyIdentifier(value="27AAACT2727Q1ZW")))
    assert clear.status == common_pb2.IMPACT_STATUS_CLEAR

    verified = operator.VerifyListing(operator_pb2.VerifyListingRequest(request_id=str(uuid.uuid4()), listing_id=receipt.listing_id))
    assert verified.state == common_pb2.LISTING_STATE_LISTED

    active = lookup.CheckParty(lookup_pb2.CheckPartyRequest(
        party=common_pb2.PartyIdentifier(value="27AAACT2727Q1ZW"), min_sequence=verified.sequence))
    assert active.status == common_pb2.IMPACT_STATUS_ACTIVE
    assert active.listings[0].member_name == "a verified member"
    assert active.listings[0].outstanding_minor == 500_000_00
    assert active.risk_band in {"B", "C", "D", "E"}

    settled = members.ConfirmSettlement(members_pb2.ConfirmSettlementRequest(
        request_id=str(uuid.uuid4()), listing_id=receipt.listing_id, settled_on=day(0)))
    assert settled.state == common_pb2.LISTING_STATE_SETTLED
    resolved = lookup.CheckParty(lookup_pb2.CheckPartyRequest(
        party=common_pb2.PartyIdentifier(value="AAACT2727Q"), min_sequence=settled.sequence))
    assert resolved.status == common_pb2.IMPACT_STATUS_RESOLVED
    assert resolved.listings[0].settled_on == day(0)


def test_bad_input_names_the_field(server):
    ca = read(server["data"] / "certs" / "ca.pem")
    lookup = lookup_pb2_grpc.LookupStub(channel(server["public"], ca))
    with pytest.raises(grpc.RpcError) as raised:
        lookup.CheckParty(lookup_pb2.CheckPartyRequest(party=common_pb2.PartyIdentifier(scheme="GSTIN", value="27AAPFU0939F1ZX")))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    status = status_details(raised.value)
    bad_request = error_details_pb2.BadRequest()
    assert any(detail.Unpack(bad_request) for detail in status.details)
    assert bad_request.field_violations[0].field == "party.value"
    assert "check character" in bad_request.field_violations[0].description


def test_public_listener_serves_no_writes(server):
    ca = read(server["data"] / "certs" / "ca.pem")
    members = members_pb2_grpc.MembersStub(channel(server["public"], ca))
    with pytest.raises(grpc.RpcError) as raised:
        members.ListListings(members_pb2.ListListingsRequest())
    assert raised.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_member_listener_refuses_a_client_without_certificate(server):
    ca = read(server["data"] / "certs" / "ca.pem")
    lookup = lookup_pb2_grpc.LookupStub(channel(server["member"], ca))
    with pytest.raises(grpc.RpcError) as raised:
        lookup.CheckParty(lookup_pb2.CheckPartyRequest(party=common_pb2.PartyIdentifier(value="27AAPFU0939F1ZV")), timeout=10)
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE


def test_dispute_and_payment_plan_from_an_independent_client(server):
    certs = server["data"] / "certs"
    ca = read(certs / "ca.pem")
    today = datetime.date.today()
    day = lambda n: (today - datetime.timedelta(days=n)).isoformat()  # noqa: E731
    ahead = lambda n: (today + datetime.timedelta(days=n)).isoformat()  # noqa: E731
    lookup = lookup_pb2_grpc.LookupStub(channel(server["public"], ca))
    operator = operator_pb2_grpc.OperatorStub(
        channel(server["member"], ca, read(certs / "operator/key.pem"), read(certs / "operator/cert.pem")))
    member_record = operator.RegisterMember(operator_pb2.RegisterMemberRequest(
        request_id=str(uuid.uuid4()), display_name="Deccan Textiles", sector="Textiles",
        identifier=common_pb2.PartyIdentifier(value="27AAPFU0939F1ZV")))
    issued = operator.IssueMemberCertificate(operator_pb2.IssueMemberCertificateRequest(
        request_id=str(uuid.uuid4()), member_id=member_record.member_id))
    members = members_pb2_grpc.MembersStub(
        channel(server["member"], ca, issued.private_key_pem.encode(), issued.certificate_pem.encode()))

    def file_and_verify(party, invoice):
        receipt = members.FileDefault(members_pb2.FileDefaultRequest(
            request_id=str(uuid.uuid4()), party=common_pb2.PartyIdentifier(value=party),
            legal_name="Buyer " + party, currency="INR", notice_served_on=day(20),
            invoices=[common_pb2.Invoice(number=invoice, issued_on=day(130), due_on=day(100), amount_minor=300_000_00)],
            evidence=[common_pb2.Evidence(description="inv.pdf", content_type="application/pdf", content=b"%PDF-1.4 " + invoice.encode())]))
        return operator.VerifyListing(operator_pb2.VerifyListingRequest(request_id=str(uuid.uuid4()), listing_id=receipt.listing_id))

    # A payment plan: "on payment plan, current, 1 of 2 paid".
    listed = file_and_verify("24AAACC1206D1ZM", "P-1")
    members.AgreePaymentPlan(members_pb2.AgreePaymentPlanRequest(
        request_id=str(uuid.uuid4()), listing_id=listed.listing_id,
        instalments=[members_pb2.Instalment(due_on=ahead(10), amount_minor=100_000_00),
                     members_pb2.Instalment(due_on=ahead(40), amount_minor=200_000_00)]))
    paid = members.RecordPayment(members_pb2.RecordPaymentRequest(
        request_id=str(uuid.uuid4()), listing_id=listed.listing_id, amount_minor=100_000_00, paid_on=day(0), reference="UTR-9"))
    report = lookup.CheckParty(lookup_pb2.CheckPartyRequest(
        party=common_pb2.PartyIdentifier(value="24AAACC1206D1ZM"), min_sequence=paid.sequence))
    assert report.status == common_pb2.IMPACT_STATUS_ON_PLAN
    assert (report.listings[0].plan_instalments_paid, report.listings[0].plan_instalments) == (1, 2)
    assert report.listings[0].plan_next_due_on == ahead(40)

    # A dispute: "under dispute", then decided for the member (the listing stands).
    disputed_listing = file_and_verify("33AAACH7409R1Z8", "D-1")
    disputed = operator.RecordDispute(operator_pb2.RecordDisputeRequest(
        request_id=str(uuid.uuid4()), listing_id=disputed_listing.listing_id, statement="quality complaint"))
    assert disputed.state == common_pb2.LISTING_STATE_DISPUTED
    report = lookup.CheckParty(lookup_pb2.CheckPartyRequest(
        party=common_pb2.PartyIdentifier(value="33AAACH7409R1Z8"), min_sequence=disputed.sequence))
    assert report.status == common_pb2.IMPACT_STATUS_DISPUTED
    assert report.listings[0].under_dispute
    decided = operator.DecideDispute(operator_pb2.DecideDisputeRequest(
        request_id=str(uuid.uuid4()), listing_id=disputed_listing.listing_id,
        outcome=common_pb2.DISPUTE_OUTCOME_FOR_MEMBER, reason="delivery proven"))
    assert decided.state == common_pb2.LISTING_STATE_LISTED
    report = lookup.CheckParty(lookup_pb2.CheckPartyRequest(
        party=common_pb2.PartyIdentifier(value="33AAACH7409R1Z8"), min_sequence=decided.sequence))
    assert report.status == common_pb2.IMPACT_STATUS_ACTIVE
    assert report.listings[0].disputes[0].outcome == common_pb2.DISPUTE_OUTCOME_FOR_MEMBER

    # Name search finds both, typo and all.
    found = lookup.SearchParties(lookup_pb2.SearchPartiesRequest(query="buyer 33aaach7409"))
    assert found.matches[0].party.value == "33AAACH7409R1Z8"


def test_watch_from_an_independent_client(server):
    """A member watches a buyer by its PAN; another member's listing under one of the PAN's GSTINs
    reaches the stream as LISTED (then SETTLED), and a resumed stream gets exactly what came after."""
    certs = server["data"] / "certs"
    ca = read(certs / "ca.pem")
    today = datetime.date.today()
    day = lambda n: (today - datetime.timedelta(days=n)).isoformat()  # noqa: E731
    operator = operator_pb2_grpc.OperatorStub(
        channel(server["member"], ca, read(certs / "operator/key.pem"), read(certs / "operator/cert.pem")))

    def member(name, gstin):
        record = operator.RegisterMember(operator_pb2.RegisterMemberRequest(
            request_id=str(uuid.uuid4()), display_name=name, identifier=common_pb2.PartyIdentifier(value=gstin)))
        issued = operator.IssueMemberCertificate(operator_pb2.IssueMemberCertificateRequest(
            request_id=str(uuid.uuid4()), member_id=record.member_id))
        return members_pb2_grpc.MembersStub(channel(
            server["member"], ca, issued.private_key_pem.encode(), issued.certificate_pem.encode()))

    watcher = member("Watching Traders", "29AAGCB7383J1Z4")
    lister = member("Listing Traders", "09AAACI1681G1ZN")
    added = watcher.AddToWatchlist(members_pb2.AddToWatchlistRequest(
        request_id=str(uuid.uuid4()), parties=[common_pb2.PartyIdentifier(value="AAPFU0939F")]))
    assert (added.changed, added.watched) == (1, 1)

    stream = watcher.Watch(members_pb2.WatchRequest(after_sequence=added.sequence), timeout=30)
    receipt = lister.FileDefault(members_pb2.FileDefaultRequest(
        request_id=str(uuid.uuid4()), party=common_pb2.PartyIdentifier(value="29AAPFU0939F1ZR"),
        legal_name="Acme Fabrication LLP", currency="INR", notice_served_on=day(20),
        invoices=[common_pb2.Invoice(number="W-1", issued_on=day(130), due_on=day(100), amount_minor=90_000_00)],
        evidence=[common_pb2.Evidence(description="invoice.pdf", content_type="application/pdf", content=b"%PDF-1.4 W-1")]))
    operator.VerifyListing(operator_pb2.VerifyListingRequest(request_id=str(uuid.uuid4()), listing_id=receipt.listing_id))
    settled = lister.ConfirmSettlement(members_pb2.ConfirmSettlementRequest(
        request_id=str(uuid.uuid4()), listing_id=receipt.listing_id, settled_on=day(0)))

    events = []
    for message in stream:
        if message.WhichOneof("kind") == "event":
            events.append(message.event)
        if len(events) == 2:
            break
    stream.cancel()
    assert [e.change for e in events] == [members_pb2.CHANGE_KIND_LISTED, members_pb2.CHANGE_KIND_SETTLED]
    assert all(e.party.value == "AAPFU0939F" and e.filed_under.value == "29AAPFU0939F1ZR" for e in events)
    assert [e.status for e in events] == [common_pb2.IMPACT_STATUS_ACTIVE, common_pb2.IMPACT_STATUS_RESOLVED]
    assert events[1].sequence == settled.sequence and events[0].sequence < events[1].sequence

    resumed = watcher.Watch(members_pb2.WatchRequest(after_sequence=events[0].sequence), timeout=30)
    first = next(m for m in resumed if m.WhichOneof("kind") == "event")
    resumed.cancel()
    assert first.event.sequence == events[1].sequence, "a resumed stream starts right after its cursor"
