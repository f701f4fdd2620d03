import Foundation
public import Logging
import OverdueCore
public import OverdueNotify
import OverdueStore
public import ServiceLifecycle
import Synchronization

/// Delivers the outbox: every due message through its channel (e-mail by SMTP, the rest to the
/// member's webhook), at most `concurrency` at once, each attempt recorded with its outcome and
/// the message's next attempt (Standard Webhooks schedule, with jitter). Network work never holds
/// the write lock: attempts are recorded afterwards, many to a transaction. Rules are checked
/// again at send time. A message in flight when the process dies is still pending in the log and
/// is sent again, under the same id, after the restart.
public final class OutboxDispatcher: Service, Sendable {
  let registry: Registry
  let email: (any Channel<EmailMessage>)?
  let webhook: any Channel<WebhookCall>
  let concurrency: Int
  let logger: Logger
  private let finished = Mutex<[RecordedAttempt]>([])
  private let inFlight = Mutex<Set<String>>([])

  /// An attempt made, waiting to be recorded.
  struct RecordedAttempt: Sendable {
    var message: OutboxMessage
    var attempt: DeliveryAttempt
    var status: DeliveryStatus
    var attemptsMade: Int
    var nextAttemptAt: Date?
    /// The webhook answered 410: disable it, and tell the member.
    var endpointGone: String?
  }

  public init(
    registry: Registry, email: (any Channel<EmailMessage>)?, webhook: any Channel<WebhookCall>,
    concurrency: Int = 64, logger: Logger
  ) {
    self.registry = registry
    self.email = email
    self.webhook = webhook
    self.concurrency = concurrency
    self.logger = logger
  }

  public func run() async {
    await cancelWhenGracefulShutdownOrReturn { [self] in
      await withDiscardingTaskGroup { group in
        while !Task.isCancelled {
          do {
            try await recordFinished()
            for due in try await dueMessages() {
              group.addTask { [self] in
                let recorded = await attempt(
                  due.message, attemptsMade: due.attemptsMade, number: due.nextNumber)
                finished.withLock { $0.append(recorded) }
                registry.outboxQueued.wake()
              }
            }
            await registry.outboxQueued.wait(timeout: try await untilNextDue())
          } catch  where !Task.isCancelled {
            logger.error("delivering the outbox failed", metadata: ["error": "\(error)"])
            try? await Task.sleep(for: .seconds(1))
          } catch {
            break
          }
        }
      }
    }
    // Attempts that finished while stopping are recorded; those cut off stay pending.
    try? await recordFinished()
    await email?.shutdown()
    await webhook.shutdown()
  }

  /// Due messages not already in flight, as many as there are free places.
  private func dueMessages() async throws -> [(
    message: OutboxMessage, attemptsMade: Int, nextNumber: Int
  )] {
    let free = concurrency - inFlight.withLock { $0.count }
    guard free > 0 else { return [] }
    let now = registry.clock.now()
    let due = try await registry.blocking.run { [registry] () throws(RegistryError) in
      try storageAccess {
        try registry.eventStore.dueMessages(by: now, limit: free + self.concurrency)
      }
    }
    return inFlight.withLock { inFlight in
      let fresh = due.filter { !inFlight.contains($0.message.id) }.prefix(free)
      for entry in fresh { inFlight.insert(entry.message.id) }
      return Array(fresh)
    }
  }

  /// How long to sleep when nothing wakes the loop: until the next message is due, at most 1 s.
  private func untilNextDue() async throws -> Duration {
    let next = try await registry.blocking.run { [registry] () throws(RegistryError) in
      try storageAccess { try registry.eventStore.nextDueAt() }
    }
    guard let next else { return .seconds(1) }
    let seconds = next.timeIntervalSince(registry.clock.now())
    return .milliseconds(Int(min(1, max(0.01, seconds)) * 1000))
  }

  /// Records every finished attempt in one transaction.
  private func recordFinished() async throws {
    let batch = finished.withLock { finished in
      defer { finished.removeAll() }
      return finished
    }
    guard !batch.isEmpty else { return }
    let queuedMore = try await registry.recordDeliveries(batch)
    inFlight.withLock { inFlight in
      for recorded in batch { inFlight.remove(recorded.message.id) }
    }
    if queuedMore { registry.outboxQueued.wake() }
  }

  /// One attempt of `message`: the rules again, then its channel.
  private func attempt(_ message: OutboxMessage, attemptsMade: Int, number: Int) async
    -> RecordedAttempt
  {
    let started = ContinuousClock.now
    let now = registry.clock.now()
    func recorded(
      _ outcome: AttemptOutcome, _ detail: String, status: DeliveryStatus, made: Int,
      next: Date? = nil, gone: String? = nil
    ) -> RecordedAttempt {
      let elapsed = ContinuousClock.now - started
      let milliseconds = Int(
        elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
      return RecordedAttempt(
        message: message,
        attempt: DeliveryAttempt(
          number: number, at: now, outcome: outcome, detail: String(detail.prefix(500)),
          latencyMilliseconds: milliseconds),
        status: status, attemptsMade: made, nextAttemptAt: next, endpointGone: gone)
    }
    if message.kind == .reminder {
      switch await registry.reminderVerdict(message) {
      case .send:
        break
      case .stop(let why), .wait(let why):
        // A reminder that may not go now is not kept for later: the schedule makes the next one.
        return recorded(.cancelled, why, status: .cancelled, made: attemptsMade)
      case .quietHours(let why):
        let minute = registry.clock.minuteOfDay
        let wait = ReminderRules.minutesUntilDaytime(from: minute)
        return recorded(
          .deferred, why, status: .pending, made: attemptsMade,
          next: now.addingTimeInterval(Double(wait * 60)))
      }
    }
    let result: DeliveryResult
    switch message.channel {
    case .email:
      guard !message.recipient.isEmpty else {
        return recorded(
          .undeliverable, "no e-mail address to send it to", status: .undeliverable,
          made: attemptsMade)
      }
      guard let email else {
        return recorded(
          .undeliverable, "no SMTP server is configured (--smtp-url)", status: .undeliverable,
          made: attemptsMade)
      }
      result = await email.deliver(
        EmailMessage(
          messageId: "\(message.id)@\(registry.notices.mailDomain)", to: message.recipient,
          subject: message.subject, text: message.text, html: message.html,
          date: message.createdAt))
    case .webhook:
      let endpoint = try? await registry.blocking.run { [registry] () throws(RegistryError) in
        try storageAccess { try registry.eventStore.webhook(memberId: message.memberId) }
      }
      guard let endpoint, endpoint.disabledAt == nil else {
        let why = endpoint == nil ? "no webhook is set" : "the webhook was disabled"
        return recorded(.undeliverable, why, status: .undeliverable, made: attemptsMade)
      }
      result = await webhook.deliver(
        WebhookCall(
          webhookId: message.id, url: endpoint.url, secrets: endpoint.signingSecrets(at: now),
          body: Data(message.webhookBody.utf8)))
    }
    let made = attemptsMade + 1
    switch result {
    case .delivered(let detail):
      return recorded(.delivered, detail, status: .delivered, made: made)
    case .permanentFailure(let detail):
      return recorded(.permanentFailure, detail, status: .failed, made: made)
    case .gone(let detail):
      return recorded(.permanentFailure, detail, status: .failed, made: made, gone: detail)
    case .temporaryFailure(let detail, let retryAfter):
      let retryAfterSeconds = retryAfter.map { Double($0.components.seconds) }
      guard
        let delay = RetrySchedule.delay(
          afterAttempt: made, jitter: Double.random(in: -1...1), retryAfter: retryAfterSeconds)
      else {
        return recorded(
          .temporaryFailure, detail + " (no retries left)", status: .failed, made: made)
      }
      return recorded(
        .temporaryFailure, detail, status: .pending, made: made,
        next: now.addingTimeInterval(delay))
    }
  }
}

extension Registry {
  /// Records finished attempts in one transaction; a webhook that answered 410 is disabled in the
  /// same transaction and its owner's e-mail queued. Returns whether that queued anything.
  func recordDeliveries(_ batch: [OutboxDispatcher.RecordedAttempt]) async throws(RegistryError)
    -> Bool
  {
    try await blocking.run { () throws(RegistryError) in
      try self.eventStore.perform(systemRequest: "deliveries") { session throws(RegistryError) in
        var queued = false
        for recorded in batch {
          try session.record(
            recorded.attempt, messageId: recorded.message.id, status: recorded.status,
            attemptsMade: recorded.attemptsMade, nextAttemptAt: recorded.nextAttemptAt)
          guard let detail = recorded.endpointGone,
            var endpoint = try session.webhook(memberId: recorded.message.memberId),
            endpoint.disabledAt == nil
          else { continue }
          endpoint.disabledAt = recorded.attempt.at
          endpoint.disabledReason = detail
          try session.save(endpoint, memberId: recorded.message.memberId)
          let contact =
            endpoint.contactEmail.isEmpty
            ? try session.alertSettings(memberId: recorded.message.memberId)?.digestEmail ?? ""
            : endpoint.contactEmail
          try session.enqueue(
            self.emailMessage(
              id:
                "disabled.\(recorded.message.memberId).\(Int(recorded.attempt.at.timeIntervalSince1970))",
              kind: .endpointDisabled, memberId: recorded.message.memberId, listingId: "",
              to: contact,
              MessageTemplates.endpointDisabled(
                url: endpoint.url, detail: detail, at: recorded.attempt.at),
              now: recorded.attempt.at))
          queued = true
        }
        return queued
      }
    }
  }

  /// The rules of a queued reminder, as they stand now.
  func reminderVerdict(_ message: OutboxMessage) async -> ReminderRules.Verdict {
    let listing = try? await blocking.run { [eventStore] () throws(RegistryError) in
      try eventStore.read { session throws(RegistryError) in try session.listing(message.listingId)
      }
    }
    guard let listing else { return .stop("the listing is gone") }
    return ReminderRules.verdict(
      for: listing, on: clock.today, minuteOfDay: clock.minuteOfDay,
      channel: message.reminderChannel)
  }
}
