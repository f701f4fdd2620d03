"""Crash safety: concurrent member writes through a real `overdued`, killed with SIGKILL at random
moments and restarted on the same data directory. Every write acknowledged before a kill must be
there afterwards exactly once (re-sending its request id returns the same receipt); writes whose
call failed are "unknown" and must resolve to present-once or absent; both databases pass
`PRAGMA integrity_check`; the read model equals one rebuilt from the log.

Meanwhile an operator verifies the filings and a second member watches their parties: its watch
stream, resumed from its cursor after every kill, must have delivered every committed LISTED change
exactly once, in log order, with no gap (compared with a fresh stream from the start of the log).

    python3 tests/crash/crash_test.py --kills 20        # the short run CI does
    python3 tests/crash/crash_test.py --kills 1000      # the long run (RELIABILITY.md)
"""

import argparse
import datetime
import json
import os
import pathlib
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "interop"))

import grpc  # noqa: E402
from stubs import common_pb2, members_pb2, members_pb2_grpc, operator_pb2, operator_pb2_grpc  # noqa: E402

OVERDUED = os.environ.get("OVERDUED", str(ROOT / ".build" / "debug" / "overdued"))
TODAY = datetime.date.today()


def day(n):
    return (TODAY - datetime.timedelta(days=n)).isoformat()


GSTIN_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def gstin(serial):
    """A valid GSTIN (Maharashtra, a company PAN) for a serial number."""
    letters = "".join(GSTIN_CHARS[10 + (serial // 26 ** i) % 26] for i in range(3))
    body = f"27AA{letters[0]}C{letters[1]}{serial % 10000:04d}{letters[2]}1Z"
    total = 0
    for index, char in enumerate(body):
        product = GSTIN_CHARS.index(char) * (2 if index % 2 else 1)
        total += product // 36 + product % 36
    return body + GSTIN_CHARS[(36 - total % 36) % 36]


class Server:
    """One `overdued` on a data directory, restartable."""

    def __init__(self, data):
        self.data = data
        self.process = None
        self.addresses = None

    def start(self):
        listeners = self.data / "listeners.json"
        listeners.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [OVERDUED, "--data-dir", str(self.data), "--public-address", "127.0.0.1:0",
             "--member-address", "127.0.0.1:0", "--log-level", "error",
             "--member-rate", "0"],  # 4 writers outrun the default per-member rate
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 120
        while not listeners.exists():
            if self.process.poll() is not None:
                raise RuntimeError(f"overdued exited with {self.process.returncode} on start")
            if time.time() > deadline:
                raise RuntimeError("overdued did not start")
            time.sleep(0.05)
        time.sleep(0.05)
        self.addresses = json.loads(listeners.read_text())

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        self.process.terminate()
        assert self.process.wait(timeout=60) == 0, "overdued did not shut down cleanly"


def channel(address, ca, key, cert):
    credentials = grpc.ssl_channel_credentials(root_certificates=ca, private_key=key, certificate_chain=cert)
    return grpc.secure_channel(address, credentials, options=[("grpc.ssl_target_name_override", "localhost")])


class Ledger:
    """Every write sent: its request, and what is known of its outcome."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acknowledged = {}  # request_id -> (request, receipt)
        self.unknown = {}  # request_id -> request
        self.serial = 0

    def next_request(self):
        with self.lock:
            self.serial += 1
            serial = self.serial
        return members_pb2.FileDefaultRequest(
            request_id=str(uuid.uuid4()), party=common_pb2.PartyIdentifier(value=gstin(serial)),
            legal_name=f"Crash Buyer {serial}", currency="INR", notice_served_on=day(20),
            invoices=[common_pb2.Invoice(number=f"C-{serial}", issued_on=day(130), due_on=day(100),
                                         amount_minor=200_000_00)],
            evidence=[common_pb2.Evidence(description="invoice.pdf", content_type="application/pdf",
                                          content=f"%PDF-1.4 C-{serial}".encode())])


def writer(stub, ledger, stop):
    while not stop.is_set():
        request = ledger.next_request()
        try:
            receipt = stub.FileDefault(request, timeout=10)
        except grpc.RpcError:
            with ledger.lock:
                ledger.unknown[request.request_id] = request
            time.sleep(0.02)
            continue
        with ledger.lock:
            ledger.acknowledged[request.request_id] = (request, receipt)


WATCHED = 2_000  # the watcher watches the parties of the first filings


def verifier(server, ledger, stop, verified):
    """Verifies acknowledged filings (its own request ids; failures are retried later)."""
    done = set()
    while not stop.is_set():
        with ledger.lock:
            waiting = [receipt.listing_id for _, receipt in ledger.acknowledged.values()
                       if receipt.listing_id not in done]
        if not waiting:
            time.sleep(0.02)
            continue
        try:
            stub = operator_stub(server)
            for listing_id in waiting[:20]:
                if stop.is_set():
                    return
                stub.VerifyListing(operator_pb2.VerifyListingRequest(
                    request_id=f"verify-{listing_id}", listing_id=listing_id), timeout=10)
                done.add(listing_id)
                verified.add(listing_id)
        except grpc.RpcError:
            time.sleep(0.05)


def watcher(server, identity, stop, seen):
    """Follows the watch stream from its cursor, reconnecting after each kill; records every
    change it is given as (sequence, listing id, change)."""
    cursor = seen["cursor"]
    while not stop.is_set():
        try:
            stub = member_stub(server, identity)
            for message in stub.Watch(members_pb2.WatchRequest(after_sequence=cursor), timeout=5):
                kind = message.WhichOneof("kind")
                if kind == "event":
                    seen["changes"].append((message.event.sequence, message.event.listing_id,
                                            message.event.change))
                    cursor = message.event.sequence
                elif kind == "progress":
                    cursor = message.progress.sequence
                if stop.is_set():
                    break
        except grpc.RpcError:
            time.sleep(0.05)
    seen["cursor"] = cursor


def operator_stub(server):
    certs = server.data / "certs"
    return operator_pb2_grpc.OperatorStub(channel(
        server.addresses["member"], (certs / "ca.pem").read_bytes(),
        (certs / "operator/key.pem").read_bytes(), (certs / "operator/cert.pem").read_bytes()))


def all_changes(server, identity):
    """Every change a fresh stream from the start of the log gives, until it is idle."""
    changes = []
    stub = member_stub(server, identity)
    try:
        for message in stub.Watch(members_pb2.WatchRequest(after_sequence=0), timeout=20):
            if message.WhichOneof("kind") == "event":
                changes.append((message.event.sequence, message.event.listing_id, message.event.change))
            elif message.WhichOneof("kind") == "progress":
                break
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.DEADLINE_EXCEEDED:
            raise
    return changes


def member_stub(server, identity):
    ca = (server.data / "certs" / "ca.pem").read_bytes()
    return members_pb2_grpc.MembersStub(channel(server.addresses["member"], ca, *identity))


def onboard(server, name="Crash Test Traders", identifier="24AAACC1206D1ZM"):
    operator = operator_stub(server)
    member = operator.RegisterMember(operator_pb2.RegisterMemberRequest(
        request_id=str(uuid.uuid4()), display_name=name, sector="Testing",
        identifier=common_pb2.PartyIdentifier(value=identifier)))
    issued = operator.IssueMemberCertificate(operator_pb2.IssueMemberCertificateRequest(
        request_id=str(uuid.uuid4()), member_id=member.member_id))
    return issued.private_key_pem.encode(), issued.certificate_pem.encode()


def listings_by_party(stub):
    """Every listing of the member, by the party it was filed against."""
    found = {}
    page = ""
    while True:
        response = stub.ListListings(members_pb2.ListListingsRequest(page_size=500, page_token=page), timeout=30)
        for listing in response.listings:
            found.setdefault(listing.party.value, []).append(listing.listing_id)
        page = response.next_page_token
        if not page:
            return found


def verify_ledger(stub, ledger):
    """Acknowledged writes must be present once and re-sending them returns the first receipt;
    unknown ones are present once or absent, and re-sending creates them once. Returns how many
    unknown writes had committed."""
    before = listings_by_party(stub)
    assert all(len(ids) == 1 for ids in before.values()), "a filing was applied twice"
    for request_id, (request, receipt) in ledger.acknowledged.items():
        assert before.get(request.party.value) == [receipt.listing_id], f"acknowledged {request_id} was lost"
        assert stub.FileDefault(request, timeout=30) == receipt, f"request {request_id}: receipt changed"
    committed = 0
    for request in ledger.unknown.values():
        present = before.get(request.party.value)
        receipt = stub.FileDefault(request, timeout=30)
        if present:
            committed += 1
            assert present == [receipt.listing_id], "a retried unknown write made a second listing"
    after = listings_by_party(stub)
    assert all(len(ids) == 1 for ids in after.values()), "a retry was applied twice"
    assert len(after) == len(ledger.acknowledged) + len(ledger.unknown), "listings and requests differ"
    return committed


def tables(path, names):
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok", f"{path} is corrupt"
        return {name: connection.execute(f"SELECT * FROM {name} ORDER BY 1, 2").fetchall() for name in names}
    finally:
        connection.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    arguments = parser.parse_args()
    random.seed(arguments.seed)
    data = pathlib.Path(tempfile.mkdtemp(prefix="overdue-crash-"))
    server = Server(data)
    server.start()
    identity = onboard(server)
    watcher_identity = onboard(server, "Crash Test Watchers", "33AAACH7409R1Z8")
    watchlist = [common_pb2.PartyIdentifier(value=gstin(serial)) for serial in range(1, WATCHED + 1)]
    added = member_stub(server, watcher_identity).AddToWatchlist(members_pb2.AddToWatchlistRequest(
        request_id=str(uuid.uuid4()), parties=watchlist), timeout=30)
    seen = {"cursor": added.sequence, "changes": []}
    verified = set()
    ledger = Ledger()
    started = time.time()
    for kill in range(1, arguments.kills + 1):
        stub = member_stub(server, identity)
        stop = threading.Event()
        threads = [threading.Thread(target=writer, args=(stub, ledger, stop)) for _ in range(arguments.writers)]
        threads.append(threading.Thread(target=verifier, args=(server, ledger, stop, verified)))
        threads.append(threading.Thread(target=watcher, args=(server, watcher_identity, stop, seen)))
        for thread in threads:
            thread.start()
        time.sleep(random.uniform(0.05, 0.6))
        server.kill()
        stop.set()
        for thread in threads:
            thread.join()
        server.start()
        if kill % 10 == 0 or kill == arguments.kills:
            print(f"kill {kill}: {len(ledger.acknowledged)} acknowledged, {len(ledger.unknown)} unknown, "
                  f"{time.time() - started:.0f} s", flush=True)
    committed = verify_ledger(member_stub(server, identity), ledger)
    # The watch across the kills, resumed once more until it has reached the last change a fresh
    # stream from the start of the log gives, then compared with that stream.
    truth = all_changes(server, watcher_identity)
    stop = threading.Event()
    follow = threading.Thread(target=watcher, args=(server, watcher_identity, stop, seen))
    follow.start()
    deadline = time.time() + 60
    while truth and (not seen["changes"] or seen["changes"][-1][0] < truth[-1][0]) and time.time() < deadline:
        time.sleep(0.1)
    stop.set()
    follow.join()
    delivered = seen["changes"]
    assert len(set(delivered)) == len(delivered), "the resumed watch delivered a change twice"
    assert [s for s, _, _ in delivered] == sorted(s for s, _, _ in delivered), "changes out of order"
    assert delivered == truth, (
        f"the watch across kills delivered {len(delivered)} changes, the log holds {len(truth)}; "
        f"first difference: {next(((a, b) for a, b in zip(delivered, truth) if a != b), None)}")
    listed = {listing for _, listing, change in truth if change == members_pb2.CHANGE_KIND_LISTED}
    watched_verified = {listing for _, listing, change in truth}
    assert listed == watched_verified, "a watched change that is not a listing"
    server.stop()

    read_tables = ["listings", "parties", "members"]
    tables(data / "events.sqlite", ["events", "requests"])
    projected = tables(data / "read.sqlite", read_tables + ["projection"])
    rebuilt_dir = pathlib.Path(tempfile.mkdtemp(prefix="overdue-rebuilt-"))
    shutil.copytree(data / "certs", rebuilt_dir / "certs")
    shutil.copy(data / "events.sqlite", rebuilt_dir / "events.sqlite")
    rebuilt_server = Server(rebuilt_dir)
    rebuilt_server.start()
    rebuilt_server.stop()
    rebuilt = tables(rebuilt_dir / "read.sqlite", read_tables + ["projection"])
    for name in read_tables:
        differing = [(a, b) for a, b in zip(projected[name], rebuilt[name]) if a != b]
        assert projected[name] == rebuilt[name], (
            f"read model table {name} differs from a rebuild ({len(projected[name])} rows projected, "
            f"{len(rebuilt[name])} rebuilt); first difference: {differing[:1]}")
    assert projected["projection"][0][1] == rebuilt["projection"][0][1], "positions differ"
    print(json.dumps({
        "kills": arguments.kills, "seed": arguments.seed, "acknowledged": len(ledger.acknowledged),
        "verified": len(verified), "watched_changes_delivered": len(delivered),
        "unknown": len(ledger.unknown), "unknown_committed": committed, "lost": 0, "seconds": round(time.time() - started, 1)}))
    shutil.rmtree(data)
    shutil.rmtree(rebuilt_dir)


if __name__ == "__main__":
    main()
