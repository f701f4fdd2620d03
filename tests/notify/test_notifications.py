"""The notification loop end to end: a real `overdued` delivering to a real SMTP server (STARTTLS
and AUTH required, certificates made here) and a real HTTPS webhook receiver that verifies every
Standard Webhooks signature with the official package. File, verify (the party is e-mailed),
schedule reminders (the first goes out at the next scheduler pass), dispute and settle (the
alerts say so, the party is told), retries under one identity, a 410 that disables the endpoint,
and the delivery log the member sees. Then what a careless or hostile member sends the new calls.
The rules that need the clock moved (pause on dispute, stop on settlement, quiet hours, the notice
rule, every N days) are tested in process with the registry's clock in the test's hand
(Tests/OverdueRegistryTests/NotificationTests.swift)."""

import pathlib
import sys
import time
import uuid

import grpc
import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "hostile"))

from receivers import SMTPReceiver, TestPKI, WebhookReceiver  # noqa: E402
from support import (  # noqa: E402
    Server, assert_clean_refusal, check_normal, common_pb2, day, filing, fresh_party, member_channel,
    members_pb2, members_pb2_grpc, operator_pb2, register_member)

SENDER = "notices@overdue.test"


@pytest.fixture(scope="module")
def world():
    pki = TestPKI()
    smtp = SMTPReceiver(pki)
    hooks = WebhookReceiver(pki)
    server = Server(
        "notify", "--smtp-url", smtp.url, "--smtp-ca-cert", str(pki.ca_path), "--smtp-from", SENDER,
        "--webhook-ca-cert", str(pki.ca_path), "--webhook-allow-private", "--scheduler-interval", "1")
    yield pki, smtp, hooks, server
    server.stop_cleanly()
    hooks.close()
    smtp.close()


def rid():
    return str(uuid.uuid4())


class Member:
    """A registered member with its own webhook path on the receiver."""

    def __init__(self, server, hooks, name):
        self.server = server
        self.id, self.issued = register_member(server, name)
        self.name = name
        self.stub = members_pb2_grpc.MembersStub(member_channel(server, self.issued))
        self.path = f"/{self.id}"
        self.hooks = hooks

    def set_webhook(self, contact_email=""):
        response = self.stub.SetWebhook(members_pb2.SetWebhookRequest(
            request_id=rid(), url=self.hooks.url(self.path), contact_email=contact_email), timeout=30)
        assert response.secret.startswith("whsec_")
        return response.secret

    def file(self, party, email, amount=1_00_000_00):
        request = filing(party=party, amount=amount)
        request.party_email = email
        request.party_phone = "+919876543210"
        return self.stub.FileDefault(request, timeout=30).listing_id

    def deliveries(self, listing_id=""):
        return self.stub.ListDeliveries(
            members_pb2.ListDeliveriesRequest(listing_id=listing_id, page_size=500), timeout=30).deliveries


def wait_for_record(member, listing, kind, attempts, timeout=20):
    """The listing's message of `kind` once `attempts` attempts of it are on record."""
    deadline = time.monotonic() + timeout
    while True:
        records = [r for r in member.deliveries(listing) if r.kind == kind]
        if records and len(records[0].attempts) >= attempts:
            return records[0]
        assert time.monotonic() < deadline, f"never {attempts} attempts on record: {records}"
        time.sleep(0.1)


def verify(server, listing_id):
    server.operator().VerifyListing(
        operator_pb2.VerifyListingRequest(request_id=rid(), listing_id=listing_id), timeout=30)


def to(address):
    return lambda messages: [m for m in messages if address in m.rcpt_tos]


def test_file_verify_remind_dispute_settle_with_alerts_and_a_delivery_log(world):
    _, smtp, hooks, server = world
    member = Member(server, hooks, "Sharma Steel")
    secret = member.set_webhook()
    hooks.set_secret(member.path, secret)
    member.stub.SetAlertChannels(members_pb2.SetAlertChannelsRequest(request_id=rid(), webhook=True), timeout=30)
    party = fresh_party()
    member.stub.AddToWatchlist(members_pb2.AddToWatchlistRequest(
        request_id=rid(), parties=[common_pb2.PartyIdentifier(value=party)]), timeout=30)
    email = f"accounts-{party.lower()}@buyer.test"

    listing = member.file(party, email)
    verify(server, listing)

    # The party is told it is listed: both parts, one identity, the member named, the amount.
    listed = smtp.wait_for(lambda ms: to(email)(ms), timeout=20)
    notice = to(email)(listed)[0]
    assert notice.message_id == f"listed.{listing}@overdue.test"
    assert "Sharma Steel" in notice.subject
    assert "1,00,000.00" in notice.text or "100,000.00" in notice.text
    assert "<p>" in notice.html and listing in notice.html
    assert notice.mail_from == SENDER and notice.tls and notice.login

    # The watch change reaches the member's webhook, signed.
    alert = hooks.wait_for(
        lambda ds: [d for d in ds if d.json and d.json["type"] == "watch.change"], path=member.path, timeout=20)
    change = [d for d in alert if d.json["type"] == "watch.change"][0]
    assert change.verified and change.status < 300
    assert change.json["data"]["change"] == "LISTED" and change.json["data"]["listing_id"] == listing

    # Reminders by e-mail and WhatsApp, MSMED interest stated: the first within a scheduler pass.
    response = member.stub.ScheduleReminders(members_pb2.ScheduleRemindersRequest(
        request_id=rid(), listing_id=listing, every_days=7, msme_supplier=True,
        channels=[members_pb2.REMINDER_CHANNEL_EMAIL, members_pb2.REMINDER_CHANNEL_WHATSAPP],
        payment_instructions="NEFT to HDFC0000123, account 5010012345"), timeout=30)
    assert response.next_on == day(0)
    reminders = smtp.wait_for(lambda ms: [m for m in to(email)(ms) if m.message_id.startswith("reminder.")], timeout=20)
    reminder = [m for m in reminders if m.message_id.startswith("reminder.")][0]
    assert reminder.subject.startswith("Payment reminder")
    assert "Days past due: 100" in reminder.text
    assert "MSMED Act 2006" in reminder.text and "16.50%" in reminder.text
    assert "NEFT to HDFC0000123" in reminder.text
    whatsapp = hooks.wait_for(
        lambda ds: [d for d in ds if d.json and d.json["type"] == "reminder.whatsapp"], path=member.path, timeout=20)
    assert all(d.verified for d in whatsapp)
    assert [d for d in whatsapp if d.json["type"] == "reminder.whatsapp"][0].json["data"]["party_phone"] == "+919876543210"

    # Disputed: the alert says so. Settled: the party is told the impact ceased.
    server.operator().RecordDispute(operator_pb2.RecordDisputeRequest(
        request_id=rid(), listing_id=listing, statement="not ours", raised_on=day(0)), timeout=30)
    hooks.wait_for(lambda ds: [d for d in ds if d.json and d.json["data"].get("change") == "DISPUTED"],
                   path=member.path, timeout=20)
    server.operator().DecideDispute(operator_pb2.DecideDisputeRequest(
        request_id=rid(), listing_id=listing, outcome=common_pb2.DISPUTE_OUTCOME_FOR_MEMBER, reason="proved"),
        timeout=30)
    member.stub.ConfirmSettlement(members_pb2.ConfirmSettlementRequest(
        request_id=rid(), listing_id=listing, settled_on=day(0)), timeout=30)
    settled = smtp.wait_for(lambda ms: [m for m in to(email)(ms) if m.message_id.startswith("settled.")], timeout=20)
    assert "ceased" in [m for m in settled if m.message_id.startswith("settled.")][0].text

    # Every message is on record with its attempts; nothing was sent twice.
    deadline = time.monotonic() + 20
    while True:
        records = member.deliveries(listing)
        if all(r.status == members_pb2.DELIVERY_STATUS_DELIVERED for r in records) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    kinds = sorted(members_pb2.MessageKind.Name(r.kind) for r in records)
    assert kinds.count("MESSAGE_KIND_PARTY_LISTED") == 1 and kinds.count("MESSAGE_KIND_PARTY_SETTLED") == 1
    assert kinds.count("MESSAGE_KIND_REMINDER") == 2
    assert kinds.count("MESSAGE_KIND_ALERT") >= 3
    for record in records:
        assert record.status == members_pb2.DELIVERY_STATUS_DELIVERED, record
        assert record.attempts and record.attempts[-1].outcome == members_pb2.ATTEMPT_OUTCOME_DELIVERED
    assert all(len(group) == 1 for group in smtp.messages_by_id().values())


def test_a_failing_webhook_is_retried_under_the_same_id_and_a_gone_one_is_disabled(world):
    _, smtp, hooks, server = world
    member = Member(server, hooks, "Kaveri Textiles")
    contact = f"it-{member.id.lower()}@member.test"
    hooks.set_secret(member.path, member.set_webhook(contact_email=contact))
    member.stub.SetAlertChannels(members_pb2.SetAlertChannelsRequest(request_id=rid(), webhook=True), timeout=30)
    party = fresh_party()
    member.stub.AddToWatchlist(members_pb2.AddToWatchlistRequest(
        request_id=rid(), parties=[common_pb2.PartyIdentifier(value=party)]), timeout=30)
    hooks.script(member.path, [500, 200])
    listing = member.file(party, f"a-{party.lower()}@buyer.test")
    verify(server, listing)
    # 500, then (about 5 s later) 200: the same webhook-id both times.
    seen = hooks.wait_for(lambda ds: [d for d in ds if d.status == 200], path=member.path, timeout=30)
    assert [d.status for d in seen][:2] == [500, 200]
    assert seen[0].webhook_id == seen[1].webhook_id and seen[0].verified and seen[1].verified
    alert = wait_for_record(member, listing, members_pb2.MESSAGE_KIND_ALERT, attempts=2)
    assert [a.outcome for a in alert.attempts] == [
        members_pb2.ATTEMPT_OUTCOME_TEMPORARY_FAILURE, members_pb2.ATTEMPT_OUTCOME_DELIVERED]
    assert "500" in alert.attempts[0].detail

    # 410 Gone: the endpoint is disabled, the member's contact is told, and alerts stop (rather
    # than piling up undeliverable) until the member sets a webhook and alerts again.
    hooks.script(member.path, [410])
    member.stub.RecordPayment(members_pb2.RecordPaymentRequest(
        request_id=rid(), listing_id=listing, amount_minor=10_000_00, paid_on=day(0)), timeout=30)
    told = smtp.wait_for(lambda ms: to(contact)(ms), timeout=20)
    assert "disabled" in to(contact)(told)[0].subject
    gone = wait_for_record(member, listing, members_pb2.MESSAGE_KIND_ALERT, attempts=1)
    assert gone.status == members_pb2.DELIVERY_STATUS_FAILED and "410" in gone.attempts[0].detail
    alerts_before = len([r for r in member.deliveries(listing) if r.kind == members_pb2.MESSAGE_KIND_ALERT])
    member.stub.RecordPayment(members_pb2.RecordPaymentRequest(
        request_id=rid(), listing_id=listing, amount_minor=10_000_00, paid_on=day(0)), timeout=30)
    time.sleep(2)  # the alert relay runs at least every second: it would have queued one by now
    assert len([r for r in member.deliveries(listing) if r.kind == members_pb2.MESSAGE_KIND_ALERT]) == alerts_before
    assert len([d for d in hooks.deliveries(member.path) if d.status == 410]) == 1


def test_a_4xx_from_the_mail_server_is_retried_with_the_same_message_id(world):
    _, smtp, hooks, server = world
    member = Member(server, hooks, "Deccan Agro")
    party = fresh_party()
    email = f"retry-{party.lower()}@buyer.test"
    smtp.fail_next_rcpt(1, code=451)
    listing = member.file(party, email)
    verify(server, listing)
    smtp.wait_for(lambda ms: to(email)(ms), timeout=30)
    notice = wait_for_record(member, listing, members_pb2.MESSAGE_KIND_PARTY_LISTED, attempts=2)
    # Recorded as delivered, so no further attempt will come: exactly one copy arrived.
    assert len(to(email)(smtp.messages)) == 1
    assert [a.outcome for a in notice.attempts] == [
        members_pb2.ATTEMPT_OUTCOME_TEMPORARY_FAILURE, members_pb2.ATTEMPT_OUTCOME_DELIVERED]
    assert notice.attempts[0].detail.startswith("451")


def test_bad_notification_requests_name_their_field_and_leave_the_server_serving(world):
    _, _, hooks, server = world
    member = Member(server, hooks, "Careless Traders")
    stub = member.stub
    for url in ["http://127.0.0.1/x", "https://user:pw@127.0.0.1/x", "https://127.0.0.1/" + "a" * 2001,
                "not a url", "https://\u202e.test/"]:
        with pytest.raises(grpc.RpcError) as error:
            stub.SetWebhook(members_pb2.SetWebhookRequest(request_id=rid(), url=url), timeout=30)
        assert_clean_refusal(error.value, grpc.StatusCode.INVALID_ARGUMENT, field="url")
    with pytest.raises(grpc.RpcError) as error:
        stub.SetAlertChannels(members_pb2.SetAlertChannelsRequest(request_id=rid(), webhook=True), timeout=30)
    assert_clean_refusal(error.value, grpc.StatusCode.FAILED_PRECONDITION, reason="WEBHOOK_NOT_SET")
    with pytest.raises(grpc.RpcError) as error:
        stub.SetAlertChannels(members_pb2.SetAlertChannelsRequest(
            request_id=rid(), digest_email="a@b.test\r\nBcc: x@y.test"), timeout=30)
    assert_clean_refusal(error.value, grpc.StatusCode.INVALID_ARGUMENT, field="digest_email")

    listing = member.file(fresh_party(), "p@buyer.test")
    bad = [
        (dict(every_days=91, channels=[members_pb2.REMINDER_CHANNEL_EMAIL]), "every_days"),
        (dict(every_days=7), "channels"),
        (dict(every_days=7, channels=[members_pb2.REMINDER_CHANNEL_EMAIL] * 6), "channels"),
        (dict(every_days=7, channels=[99]), "channels[0]"),
        (dict(every_days=7, channels=[members_pb2.REMINDER_CHANNEL_EMAIL], party_email="x"), "party_email"),
        (dict(every_days=7, channels=[members_pb2.REMINDER_CHANNEL_EMAIL], payment_instructions="p" * 2001),
         "payment_instructions"),
    ]
    for fields, field in bad:
        with pytest.raises(grpc.RpcError) as error:
            stub.ScheduleReminders(members_pb2.ScheduleRemindersRequest(
                request_id=rid(), listing_id=listing, **fields), timeout=30)
        assert_clean_refusal(error.value, grpc.StatusCode.INVALID_ARGUMENT, field=field)

    # Another member's listing is not there, for reminders as for deliveries.
    other = Member(server, hooks, "Nosy Traders")
    for call in [
        lambda: other.stub.ScheduleReminders(members_pb2.ScheduleRemindersRequest(
            request_id=rid(), listing_id=listing, every_days=7,
            channels=[members_pb2.REMINDER_CHANNEL_EMAIL]), timeout=30),
        lambda: other.stub.ListDeliveries(members_pb2.ListDeliveriesRequest(listing_id=listing), timeout=30),
    ]:
        with pytest.raises(grpc.RpcError) as error:
            call()
        assert error.value.code() == grpc.StatusCode.NOT_FOUND
    assert other.deliveries() == []
    # The largest page size is served capped; a page token this server never gave names its field.
    assert len(stub.ListDeliveries(members_pb2.ListDeliveriesRequest(page_size=2**31 - 1), timeout=30).deliveries) <= 500
    with pytest.raises(grpc.RpcError) as error:
        stub.ListDeliveries(members_pb2.ListDeliveriesRequest(page_token="bm90IGEgY3Vyc29y"), timeout=30)
    assert_clean_refusal(error.value, grpc.StatusCode.INVALID_ARGUMENT, field="page_token")
    # The public listener has no member calls at all.
    public = members_pb2_grpc.MembersStub(server.channel())
    with pytest.raises(grpc.RpcError) as error:
        public.ListDeliveries(members_pb2.ListDeliveriesRequest(), timeout=30)
    assert error.value.code() == grpc.StatusCode.UNIMPLEMENTED
    check_normal(server.lookup())
