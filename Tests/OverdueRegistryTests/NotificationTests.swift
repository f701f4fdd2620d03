import Crypto
import Foundation
import Logging
import OverdueCertificates
import OverdueCore
import OverdueNotify
import OverdueStore
import Synchronization
import Testing

@testable import OverdueRegistry

/// Notifications in process, with the registry's clock in the test's hand and channels that
/// record what they are given: the outbox, the reminder rules at queueing and at sending, retries,
/// a disabled endpoint. The real SMTP server and webhook receiver are in tests/notify.
@Suite("Notifications in process")
struct NotificationTests {
  /// A channel that records every message and answers from a script (then `.delivered`).
  final class ScriptedChannel<Message: Sendable>: Channel, Sendable {
    let sent = Mutex<[Message]>([])
    let script = Mutex<[DeliveryResult]>([])

    func deliver(_ message: Message) async -> DeliveryResult {
      sent.withLock { $0.append(message) }
      return script.withLock { $0.isEmpty ? .delivered(detail: "250 ok") : $0.removeFirst() }
    }

    func shutdown() async {}
    var count: Int { sent.withLock { $0.count } }
  }

  /// A registry over fresh stores, at a time the test moves, with its follower, alert relay and
  /// a dispatcher over scripted channels running while `body` runs.
  /// The registry's time, as the test sets it.
  final class TestTime: Sendable {
    let value: Mutex<Date>
    init(_ date: Date) { value = Mutex(date) }
    func withLock<T>(_ body: (inout Date) -> T) -> T { value.withLock { body(&$0) } }
  }

  struct Fixture {
    let registry: Registry
    let now: TestTime
    let email: ScriptedChannel<EmailMessage>
    let webhook: ScriptedChannel<WebhookCall>
    let memberId: String
    let member: Actor

    var today: CalendarDate { registry.clock.today }

    func advance(days: Int = 0, to hour: Int? = nil) {
      now.withLock { now in
        now = now.addingTimeInterval(Double(days) * 86_400)
        if let hour {
          let midnight = floor(now.timeIntervalSince1970 / 86_400) * 86_400
          now = Date(timeIntervalSince1970: midnight + Double(hour) * 3600)
        }
      }
    }

    static let requests = Mutex(0)
    static func key(_ actor: Actor) -> IdempotencyKey {
      let id = requests.withLock { value in
        value += 1
        return "n-\(value)"
      }
      return IdempotencyKey(principal: actor.description, requestId: id, fingerprint: id)
    }

    static let ops = Actor.operator("ops")
    static let evidence: StoredEvidence = {
      let content = Data("%PDF-1.4\n% notification test\n".utf8)
      let digest = SHA256.hash(data: content).map { String(format: "%02x", $0) }.joined()
      return StoredEvidence(sha256Hex: digest, contentType: "application/pdf", content: content)
    }()

    /// Files (as the member) a listing whose notice was served 20 days ago, with the party's
    /// e-mail, and verifies it; returns its id.
    func listed(email partyEmail: String = "accounts@buyer.example", amount: Int64 = 1_00_000_00)
      async throws -> String
    {
      let id = Identifiers.listing(at: registry.clock.now())
      let due = today.adding(days: -120)
      let filing = Filing(
        listingId: id, party: try PartyIdentifier.parse(scheme: "GSTIN", value: "27AAPFU0939F1ZV"),
        legalName: "Acme Fabrication LLP", currency: "INR",
        invoices: [
          Invoice(
            number: "INV-\(id)", issuedOn: due.adding(days: -30), dueOn: due, amountMinor: amount)
        ],
        noticeServedOn: today.adding(days: -20),
        evidence: [
          EvidenceReference(
            sha256Hex: Self.evidence.sha256Hex, description: "invoice.pdf",
            contentType: Self.evidence.contentType, sizeBytes: Self.evidence.content.count)
        ])
      _ = try await registry.run(
        .file(filing), listingId: id, actor: member, key: Self.key(member),
        evidence: [Self.evidence],
        partyContact: PartyContact(email: partyEmail, phone: "+919876543210"))
      _ = try await registry.run(.verify, listingId: id, actor: Self.ops, key: Self.key(Self.ops))
      return id
    }

    func run(_ command: ListingCommand, _ listingId: String, as actor: Actor? = nil) async throws {
      let actor = actor ?? member
      _ = try await registry.run(command, listingId: listingId, actor: actor, key: Self.key(actor))
    }

    /// Waits (bounded) until `predicate` holds for the outbox.
    func waitForOutbox(
      _ predicate: ([DeliveryStatus: Int]) -> Bool,
      sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
      let deadline = ContinuousClock.now + .seconds(10)
      while ContinuousClock.now < deadline {
        if predicate(try registry.eventStore.outboxCounts()) { return }
        try await Task.sleep(for: .milliseconds(20))
      }
      Issue.record(
        "outbox never got there: \(try registry.eventStore.outboxCounts())",
        sourceLocation: sourceLocation)
    }

    func deliveries(_ listingId: String? = nil) async throws -> [Delivery] {
      try await registry.deliveries(memberId: memberId, listingId: listingId, after: "", limit: 500)
    }
  }

  static func with(
    smtp: Bool = true, _ body: (Fixture) async throws -> Void
  ) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "overdue-notify-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    // 2026-11-10 10:00 UTC.
    let now = TestTime(Date(timeIntervalSince1970: 1_794_304_800))
    let registry = try Registry(
      eventStore: try EventStore(path: directory.appendingPathComponent("events.sqlite").path),
      readModel: try ReadModel(path: directory.appendingPathComponent("read.sqlite").path),
      authority: try CertificateAuthority.create(commonName: "test CA"), policy: .defaults,
      clock: RegistryClock(now: { now.withLock { $0 } }), logger: Logger(label: "test"),
      readYourWritesWait: .seconds(2))
    let email = ScriptedChannel<EmailMessage>()
    let webhook = ScriptedChannel<WebhookCall>()
    let dispatcher = OutboxDispatcher(
      registry: registry, email: smtp ? email : nil, webhook: webhook,
      logger: Logger(label: "test"))
    let services = [
      Task { await registry.follower.run() }, Task { await dispatcher.run() },
      Task { await AlertRelay(registry: registry, logger: Logger(label: "test")).run() },
    ]
    defer { services.forEach { $0.cancel() } }
    let registered = try await registry.registerMember(
      displayName: "Sharma Steel",
      identifier: try PartyIdentifier.parse(scheme: "GSTIN", value: "24AAACC1206D1ZM"),
      sector: "Steel", actor: Fixture.ops, key: Fixture.key(Fixture.ops))
    let fixture = Fixture(
      registry: registry, now: now, email: email, webhook: webhook, memberId: registered.id,
      member: .member(registered.id))
    try await body(fixture)
  }

  @Test func verificationAndSettlementEachTellThePartyOnceWithOneIdentity() async throws {
    try await Self.with { fixture in
      let id = try await fixture.listed()
      try await fixture.waitForOutbox { $0[.delivered] == 1 }
      let listed = try #require(fixture.email.sent.withLock { $0.first })
      #expect(listed.to == "accounts@buyer.example")
      #expect(listed.messageId == "listed.\(id)@overdue.registry")
      #expect(listed.subject.contains("Sharma Steel"))
      #expect(listed.text.contains("INR 1,00,000.00") || listed.text.contains("INR 100,000.00"))
      try await fixture.run(
        .confirmSettlement(on: fixture.today, amountMinor: 1_00_000_00, note: ""), id)
      try await fixture.waitForOutbox { $0[.delivered] == 2 }
      let settled = try #require(fixture.email.sent.withLock { $0.last })
      #expect(settled.messageId == "settled.\(id)@overdue.registry")
      #expect(settled.text.contains("ceased"))
      let deliveries = try await fixture.deliveries(id)
      #expect(
        deliveries.map(\.message.kind).sorted { $0.rawValue < $1.rawValue } == [
          .partyListed, .partySettled,
        ])
      #expect(
        deliveries.allSatisfy { $0.attempts.count == 1 && $0.attempts[0].outcome == .delivered })
    }
  }

  @Test func remindersGoOnScheduleAtMostOnceADayPauseOnDisputeAndStopOnSettlement() async throws {
    try await Self.with { fixture in
      let id = try await fixture.listed()
      try await fixture.waitForOutbox { $0[.delivered] == 1 }
      let receipt = try await fixture.registry.scheduleReminders(
        ReminderRequest(listingId: id, everyDays: 7, channels: [.email], msmeSupplier: true),
        memberId: fixture.memberId, key: Fixture.key(fixture.member))
      #expect(receipt.nextOn == fixture.today)
      #expect(try await fixture.registry.queueDueReminders() == 1)
      #expect(try await fixture.registry.queueDueReminders() == 0)  // at most one a day
      try await fixture.waitForOutbox { $0[.delivered] == 2 }
      let reminder = try #require(fixture.email.sent.withLock { $0.last })
      #expect(reminder.subject.hasPrefix("Payment reminder"))
      #expect(reminder.text.contains("Days past due: 120"))
      #expect(reminder.text.contains("MSMED Act 2006"))
      #expect(reminder.text.contains("16.50%"))

      fixture.advance(days: 6)
      #expect(try await fixture.registry.queueDueReminders() == 0)
      fixture.advance(days: 1)
      #expect(try await fixture.registry.queueDueReminders() == 1)
      try await fixture.waitForOutbox { $0[.delivered] == 3 }

      // Disputed: the next one waits, and comes once the dispute is decided for the member.
      try await fixture.run(
        .recordDispute(statement: "not ours", raisedOn: fixture.today), id, as: Fixture.ops)
      fixture.advance(days: 7)
      #expect(try await fixture.registry.queueDueReminders() == 0)
      try await fixture.run(
        .decideDispute(outcome: .forMember, reason: "proved"), id, as: Fixture.ops)
      #expect(try await fixture.registry.queueDueReminders() == 0)  // a waiting one looks tomorrow
      fixture.advance(days: 1)
      #expect(try await fixture.registry.queueDueReminders() == 1)
      try await fixture.waitForOutbox { $0[.delivered] == 4 }

      // Settled: the schedule ends by itself.
      try await fixture.run(
        .confirmSettlement(on: fixture.today, amountMinor: 1_00_000_00, note: ""), id)
      fixture.advance(days: 7)
      #expect(try await fixture.registry.queueDueReminders() == 0)
      #expect(
        try fixture.registry.eventStore.dueReminderSchedules(
          by: fixture.today.adding(days: 99), limit: 10
        ).isEmpty)
    }
  }

  @Test func aReminderQueuedBeforeTheListingSettledIsCancelledAtSendTime() async throws {
    try await Self.with { fixture in
      let id = try await fixture.listed()
      try await fixture.waitForOutbox { $0[.delivered] == 1 }
      _ = try await fixture.registry.scheduleReminders(
        ReminderRequest(listingId: id, everyDays: 1, channels: [.email]),
        memberId: fixture.memberId, key: Fixture.key(fixture.member))
      let listing = try await fixture.registry.listing(id, for: fixture.member)
      let schedule = try #require(
        try fixture.registry.eventStore.read { session throws(RegistryError) in
          try session.reminderSchedule(listingId: id)
        })
      // A reminder made while the listing was open, still queued when it settles.
      let reminder = fixture.registry.emailMessage(
        id: "reminder.queued-earlier", kind: .reminder, reminderChannel: .email,
        memberId: fixture.memberId, listingId: id, to: "accounts@buyer.example",
        MessageTemplates.reminderEmail(
          fixture.registry.reminderFacts(
            listing, schedule: schedule, memberName: "Sharma Steel", today: fixture.today)),
        now: fixture.registry.clock.now())
      try await fixture.run(
        .confirmSettlement(on: fixture.today, amountMinor: 1_00_000_00, note: ""), id)
      try await fixture.waitForOutbox { $0[.delivered] == 2 }
      try await fixture.registry.blocking.run { () throws(RegistryError) in
        try fixture.registry.eventStore.perform(systemRequest: "test") {
          session throws(RegistryError) in try session.enqueue(reminder)
        }
      }
      fixture.registry.outboxQueued.wake()
      try await fixture.waitForOutbox { $0[.cancelled] == 1 }
      let cancelled = try #require(
        try await fixture.deliveries(id).first { $0.message.id == "reminder.queued-earlier" })
      #expect(cancelled.attempts.first?.detail.contains("settled") == true)
      #expect(!fixture.email.sent.withLock { $0 }.contains { $0.messageId.hasPrefix("reminder.") })
    }
  }

  @Test func smsWaitsForDaytimeAndGoesToTheWebhookWithTheDLTIds() async throws {
    try await Self.with { fixture in
      _ = try await fixture.registry.setWebhook(
        url: "https://hooks.example.com/overdue", contactEmail: "ops@member.example",
        memberId: fixture.memberId, key: Fixture.key(fixture.member))
      let id = try await fixture.listed()
      fixture.advance(to: 22)
      _ = try await fixture.registry.scheduleReminders(
        ReminderRequest(
          listingId: id, everyDays: 3, channels: [.sms], dltHeader: "SHRMST",
          dltTemplateId: "1107161234567890123"),
        memberId: fixture.memberId, key: Fixture.key(fixture.member))
      // 22:00: not queued at all; 09:00 the next day it is, and goes to the webhook.
      #expect(try await fixture.registry.queueDueReminders() == 0)
      fixture.advance(days: 1, to: 9)
      fixture.webhook.script.withLock {
        $0 = [.temporaryFailure(detail: "HTTP 503", retryAfter: nil)]
      }
      #expect(try await fixture.registry.queueDueReminders() == 1)
      try await fixture.waitForOutbox { _ in fixture.webhook.count == 1 }
      // The retry comes due at 21:30: quiet hours, deferred (not counted) to 09:00.
      fixture.advance(to: 21)
      fixture.now.withLock { $0 = $0.addingTimeInterval(30 * 60) }
      fixture.registry.outboxQueued.wake()
      var deferred: Delivery?
      for _ in 0..<500 where deferred == nil {
        deferred = try await fixture.deliveries(id).first {
          $0.message.reminderChannel == .sms && $0.attempts.last?.outcome == .deferred
        }
        try await Task.sleep(for: .milliseconds(20))
      }
      let waiting = try #require(deferred)
      #expect(waiting.attemptsMade == 1)
      #expect(fixture.webhook.count == 1)
      let nine = try #require(waiting.nextAttemptAt)
      #expect(Int(nine.timeIntervalSince1970) % 86_400 == 9 * 3600)
      fixture.advance(days: 1, to: 9)
      fixture.registry.outboxQueued.wake()
      try await fixture.waitForOutbox { $0[.delivered] == 2 }
      let call = try #require(fixture.webhook.sent.withLock { $0.last })
      #expect(call.webhookId == waiting.message.id)
      let body = try #require(try JSONSerialization.jsonObject(with: call.body) as? [String: Any])
      #expect(body["type"] as? String == "reminder.sms")
      let data = try #require(body["data"] as? [String: Any])
      #expect(data["dlt_header"] as? String == "SHRMST")
      #expect(data["party_phone"] as? String == "+919876543210")
    }
  }

  @Test func aTemporaryFailureIsRetriedUnderTheSameIdentityAndAPermanentOneIsRecorded() async throws
  {
    try await Self.with { fixture in
      fixture.email.script.withLock {
        $0 = [.temporaryFailure(detail: "451 try later", retryAfter: nil)]
      }
      let id = try await fixture.listed()
      try await fixture.waitForOutbox { $0[.pending] == 1 && fixture.email.count == 1 }
      var delivery = try #require(try await fixture.deliveries(id).first)
      #expect(delivery.attempts.map(\.outcome) == [.temporaryFailure])
      let wait = try #require(delivery.nextAttemptAt).timeIntervalSince(
        fixture.registry.clock.now())
      #expect(wait >= 4.5 && wait <= 5.5)  // 5 s, with up to a tenth of jitter
      fixture.advance(days: 0)
      fixture.now.withLock { $0 = $0.addingTimeInterval(6) }
      fixture.registry.outboxQueued.wake()
      try await fixture.waitForOutbox { $0[.delivered] == 1 }
      let ids = fixture.email.sent.withLock { $0.map(\.messageId) }
      #expect(ids.count == 2 && Set(ids).count == 1)
      delivery = try #require(try await fixture.deliveries(id).first)
      #expect(delivery.attempts.map(\.number) == [1, 2])

      fixture.email.script.withLock { $0 = [.permanentFailure(detail: "550 no such user")] }
      try await fixture.run(
        .confirmSettlement(on: fixture.today, amountMinor: 1_00_000_00, note: ""), id)
      try await fixture.waitForOutbox { $0[.failed] == 1 }
    }
  }

  @Test func withoutSMTPAnEmailIsRecordedAsUndeliverableNotDropped() async throws {
    try await Self.with(smtp: false) { fixture in
      let id = try await fixture.listed()
      try await fixture.waitForOutbox { $0[.undeliverable] == 1 }
      let delivery = try #require(try await fixture.deliveries(id).first)
      #expect(delivery.attempts.first?.detail.contains("SMTP") == true)
    }
  }

  @Test func anEndpointThatAnswers410IsDisabledAndItsOwnerToldByEmail() async throws {
    try await Self.with { fixture in
      let first = try await fixture.registry.setWebhook(
        url: "https://hooks.example.com/a", contactEmail: "ops@member.example",
        memberId: fixture.memberId, key: Fixture.key(fixture.member))
      let rotated = try await fixture.registry.setWebhook(
        url: "https://hooks.example.com/a", contactEmail: "ops@member.example",
        memberId: fixture.memberId, key: Fixture.key(fixture.member))
      #expect(first.secret != rotated.secret && rotated.secret.hasPrefix("whsec_"))
      // A retried request does not show a secret again (none is stored with its answer).
      let retryKey = Fixture.key(fixture.member)
      let once = try await fixture.registry.setWebhook(
        url: "https://hooks.example.com/b", contactEmail: "ops@member.example",
        memberId: fixture.memberId, key: retryKey)
      let again = try await fixture.registry.setWebhook(
        url: "https://hooks.example.com/b", contactEmail: "ops@member.example",
        memberId: fixture.memberId, key: retryKey)
      #expect(once.secret.hasPrefix("whsec_") && again.secret.isEmpty && again.url == once.url)
      let stored = try fixture.registry.eventStore.read { session throws(RegistryError) in
        try session.webhook(memberId: fixture.memberId)
      }
      #expect(stored?.secret == once.secret)
      // Back to the endpoint the rest of the test uses, rotated once more.
      let latest = try await fixture.registry.setWebhook(
        url: "https://hooks.example.com/a", contactEmail: "ops@member.example",
        memberId: fixture.memberId, key: Fixture.key(fixture.member))
      try await fixture.registry.setAlertChannels(
        webhook: true, digestEmail: "", memberId: fixture.memberId, key: Fixture.key(fixture.member)
      )
      _ = try await fixture.registry.addToWatchlist(
        [try PartyIdentifier.parse(scheme: "GSTIN", value: "27AAPFU0939F1ZV")],
        memberId: fixture.memberId, actor: fixture.member, key: Fixture.key(fixture.member))
      fixture.webhook.script.withLock { $0 = [.gone(detail: "HTTP 410")] }
      _ = try await fixture.listed()
      // The alert (LISTED) meets 410; the member is told; the party notice is delivered.
      try await fixture.waitForOutbox { $0[.failed] == 1 && $0[.delivered] == 2 }
      let call = try #require(fixture.webhook.sent.withLock { $0.first })
      #expect(call.secrets == [latest.secret, once.secret])  // both sign during the rotation
      let told = try #require(
        fixture.email.sent.withLock { $0.first { $0.to == "ops@member.example" } })
      #expect(told.subject.contains("disabled"))
      let endpoint = try #require(
        try fixture.registry.eventStore.webhook(memberId: fixture.memberId))
      #expect(endpoint.disabledAt != nil)
    }
  }

  @Test func theDailyDigestGroupsADaysChangesInOneMessage() async throws {
    try await Self.with { fixture in
      try await fixture.registry.setAlertChannels(
        webhook: false, digestEmail: "credit@member.example", memberId: fixture.memberId,
        key: Fixture.key(fixture.member))
      _ = try await fixture.addWatch("27AAPFU0939F1ZV")
      let id = try await fixture.listed()
      try await fixture.run(
        .recordPayment(Payment(amountMinor: 10_000_00, paidOn: fixture.today, reference: "r")), id)
      #expect(try await fixture.registry.queueDigests() == 0)  // not before the next day
      fixture.advance(days: 1)
      #expect(try await fixture.registry.queueDigests() == 1)
      #expect(try await fixture.registry.queueDigests() == 0)
      try await fixture.waitForOutbox { $0[.delivered] == 2 }
      let digest = try #require(
        fixture.email.sent.withLock { $0.first { $0.to == "credit@member.example" } })
      #expect(digest.text.contains("LISTED (1)"))
      #expect(digest.text.contains("PAYMENT_RECORDED (1)"))
    }
  }

  @Test func badNotificationSettingsNameTheirField() async throws {
    try await Self.with { fixture in
      let key = Fixture.key(fixture.member)
      for (url, field) in [("http://hooks.example.com/", "url"), ("https://127.0.0.1/x", "url")] {
        await #expect {
          try await fixture.registry.setWebhook(
            url: url, contactEmail: "", memberId: fixture.memberId, key: key)
        } throws: { error in
          (error as? RegistryError)?.field == field
        }
      }
      let id = try await fixture.listed()
      let cases: [(ReminderRequest, String)] = [
        (ReminderRequest(listingId: id, everyDays: 91, channels: [.email]), "every_days"),
        (ReminderRequest(listingId: id, everyDays: 7, channels: []), "channels"),
        (
          ReminderRequest(
            listingId: id, everyDays: 7, channels: [.email], partyEmail: "not-an-address"),
          "party_email"
        ),
        (
          ReminderRequest(listingId: id, everyDays: 7, channels: [.sms], partyPhone: "98765"),
          "party_phone"
        ),
        (ReminderRequest(listingId: "L-NOT-MINE", everyDays: 7, channels: [.email]), "listing_id"),
      ]
      for (request, field) in cases {
        await #expect {
          try await fixture.registry.scheduleReminders(
            request, memberId: fixture.memberId, key: Fixture.key(fixture.member))
        } throws: { error in
          (error as? RegistryError)?.field == field
        }
      }
      await #expect {
        try await fixture.registry.scheduleReminders(
          ReminderRequest(listingId: id, everyDays: 7, channels: [.sms]),
          memberId: fixture.memberId, key: Fixture.key(fixture.member))
      } throws: { error in
        (error as? RegistryError)?.reason == "WEBHOOK_NOT_SET"
      }
    }
  }
}

extension NotificationTests.Fixture {
  func addWatch(_ gstin: String) async throws -> WatchlistChange {
    try await registry.addToWatchlist(
      [try PartyIdentifier.parse(scheme: "GSTIN", value: gstin)], memberId: memberId, actor: member,
      key: Self.key(member))
  }
}
