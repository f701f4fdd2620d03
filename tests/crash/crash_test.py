"""Crash safety: concurrent member writes through a real `overdued`, killed with SIGKILL at random
moments and restarted on the same data directory. Every write acknowledged before a kill must be
there afterwards exactly once (re-sending its request id returns the same receipt); writes whose
call failed are "unknown" and must resolve to present-once or absent; both databases pass
`PRAGMA integrity_check`; the read model equals one rebuilt from the log.

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


def member_stub(server, identity):
    ca = (server.data / "certs" / "ca.pem").read_bytes()
    return members_pb2_grpc.MembersStub(channel(server.addresses["member"], ca, *identity))


def onboard(server):
    certs = server.data / "certs"
    ca = (certs / "ca.pem").read_bytes()
    operator = operator_pb2_grpc.OperatorStub(channel(
        server.addresses["member"], ca, (certs / "operator/key.pem").read_bytes(),
        (certs / "operator/cert.pem").read_bytes()))
    member = operator.RegisterMember(operator_pb2.RegisterMemberRequest(
        request_id=str(uuid.uuid4()), display_name="Crash Test Traders", sector="Testing",
        identifier=common_pb2.PartyIdentifier(value="24AAACC1206D1ZM")))
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
    ledger = Ledger()
    started = time.time()
    for kill in range(1, arguments.kills + 1):
        stub = member_stub(server, identity)
        stop = threading.Event()
        threads = [threading.Thread(target=writer, args=(stub, ledger, stop)) for _ in range(arguments.writers)]
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
        "unknown": len(ledger.unknown), "unknown_committed": committed, "lost": 0, "seconds": round(time.time() - started, 1)}))
    shutil.rmtree(data)
    shutil.rmtree(rebuilt_dir)


if __name__ == "__main__":
    main()
