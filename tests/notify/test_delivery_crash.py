"""Crash safety of delivery: SIGKILL `overdued` again and again while it files, verifies and
delivers to a real SMTP server and a real webhook receiver, restart it on the same data directory
each time, and every message the registry accepted arrives, none with a new identity. At least
once with stable ids is the promise (a message in flight at the kill is sent again under the same
Message-ID or webhook-id, and the receivers deduplicate), so duplicates are counted, not refused."""

import os
import pathlib
import random
import signal
import sys
import threading
import time
import uuid

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "hostile"))

import grpc  # noqa: E402

from receivers import SMTPReceiver, TestPKI, WebhookReceiver  # noqa: E402
from support import (  # noqa: E402
    Server, common_pb2, figure, filing, fresh_party, member_channel, members_pb2, members_pb2_grpc,
    operator_pb2, register_member)

LISTINGS = int(os.environ.get("OVERDUE_CRASH_LISTINGS", "120"))
KILLS = int(os.environ.get("OVERDUE_CRASH_KILLS", "4"))


def rid():
    return str(uuid.uuid4())


def test_every_accepted_message_arrives_after_kills_with_its_identity(tmp_path):
    pki = TestPKI(tmp_path / "pki")
    smtp = SMTPReceiver(pki)
    hooks = WebhookReceiver(pki)
    flags = ("--smtp-url", smtp.url, "--smtp-ca-cert", str(pki.ca_path), "--smtp-from", "n@overdue.test",
             "--webhook-ca-cert", str(pki.ca_path), "--webhook-allow-private", "--scheduler-interval", "1")
    server = Server("crash-notify", *flags)
    data = server.data
    member_id, issued = register_member(server, "Crash Traders")
    path = f"/{member_id}"

    def stubs(server):
        return members_pb2_grpc.MembersStub(member_channel(server, issued)), server.operator()

    members, operator = stubs(server)
    secret = members.SetWebhook(members_pb2.SetWebhookRequest(request_id=rid(), url=hooks.url(path)), timeout=30).secret
    hooks.set_secret(path, secret)
    members.SetAlertChannels(members_pb2.SetAlertChannelsRequest(request_id=rid(), webhook=True), timeout=30)
    parties = [fresh_party() for _ in range(LISTINGS)]
    members.AddToWatchlist(members_pb2.AddToWatchlistRequest(
        request_id=rid(), parties=[common_pb2.PartyIdentifier(value=p) for p in parties]), timeout=30)

    # Each step has its request ids fixed in advance, so a step cut off by a kill is retried
    # safely. A killer thread sends SIGKILL at random moments: during a filing, a verification, or
    # the deliveries they queued.
    requests = []
    for party in parties:
        request = filing(party=party)
        request.party_email = f"{party.lower()}@buyer.test"
        requests.append((party, request, rid()))
    verified = set()
    listing_of = {}
    chance = random.Random(int(os.environ.get("OVERDUE_CRASH_SEED", "7")))
    running = {"server": server, "kills": 0}
    lock = threading.Lock()
    done = threading.Event()

    def killer():
        while running["kills"] < KILLS and not done.wait(chance.uniform(0.3, 1.0)):
            with lock:
                if running["server"].alive():
                    os.kill(running["server"].pid, signal.SIGKILL)
                    running["kills"] += 1

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    index = 0
    while index < len(requests):
        party, request, verify_id = requests[index]
        try:
            if party not in listing_of:
                listing_of[party] = members.FileDefault(request, timeout=30).listing_id
            operator.VerifyListing(operator_pb2.VerifyListingRequest(
                request_id=verify_id, listing_id=listing_of[party]), timeout=30)
            verified.add(listing_of[party])
            index += 1
        except grpc.RpcError as error:
            assert error.code() == grpc.StatusCode.UNAVAILABLE, error
            with lock:
                running["server"].process.wait(timeout=30)
                running["server"] = Server("crash-notify", *flags, data=data)
                members, operator = stubs(running["server"])
    done.set()
    thread.join()
    kills = running["kills"]
    server = running["server"]

    expected_mail = {f"listed.{listing}@overdue.test" for listing in verified}
    smtp.wait_for(lambda ms: expected_mail <= {m.message_id for m in ms}, timeout=120)
    alerts = hooks.wait_for(
        lambda ds: {d.json["data"]["listing_id"] for d in ds if d.status < 300 and d.json} >= verified,
        path=path, timeout=120)
    mail_ids = smtp.messages_by_id()
    alert_ids = {}
    for delivery in alerts:
        alert_ids.setdefault(delivery.webhook_id, []).append(delivery)
    # Nothing lost; nothing arrived that was not queued; one identity per message.
    assert expected_mail <= set(mail_ids)
    assert set(mail_ids) <= expected_mail
    assert all(d.verified for d in alerts)
    for copies in alert_ids.values():
        assert len({c.body for c in copies}) == 1, "a retried webhook changed its content"
    assert len(alert_ids) == len(verified)
    figure("delivery crash: kills", kills)
    figure("delivery crash: e-mail duplicates", sum(len(c) - 1 for c in mail_ids.values()))
    figure("delivery crash: webhook duplicates", sum(len(c) - 1 for c in alert_ids.values()))
    server.stop_cleanly()
    hooks.close()
    smtp.close()
