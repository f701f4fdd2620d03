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
  /// Messages being attempted, by id, with the share of the dispatcher each one takes.
  private let inFlight = Mutex<[String: Share]>([:])
  /// At most this many of one member's webhook calls, or of all e-mails, are in flight at once, so
  /// one slow or silent receiver cannot hold every place.
  let maxInFlightPerShare: Int

  /// Whose capacity a message uses: one member's webhook, or the SMTP server.
  enum Share: Hashable {
    case webhook(memberId: String)
    case email

    init(_ message: OutboxMessage) {
      self.init(channel: message.channel, memberId: message.memberId)
    }

    init(channel: DeliveryChannel, memberId: String) {
      self = channel == .email ? .email : .webhook(memberId: memberId)
    }
  }

  /// An attempt made, waiting to be recorded.
  struct RecordedAttempt: Sendable {
    var message: OutboxMessage
    var attempt: DeliveryAttempt
    var status: DeliveryStatus
    var attemptsMade: Int
    var nextAttemptAt: Date?
    /// The endpoint that answered 410: disable it (if it is still the member's), and tell the member.
    var endpointGone: WebhookEndpoint?
  }

  public init(
    registry: Registry, email: (any Channel<EmailMessage>)?, webhook: any Channel<WebhookCall>,
    concurrency: Int = 64, maxInFlightPerShare: Int = 16, logger: Logger
  ) {
    self.maxInFlightPerShare = maxInFlightPerShare
    self.registry = registry
    self.email = email
    self.webhook = webhook
    self.concurrency = concurrency
    self.logger = logger
  }

  public func run() async {
    try? await cancelWhenGracefulShutdown { [self] in
      await withDiscardingTaskGroup { group in
        while !Task.isCancelled {
          do {
            try await recordFinished()
            for due in try await dueMessages() {
              group.addTask { [self] in
                // Cut off by shutdown: nothing is recorded, and the message stays pending, to be
                // sent again (under its id) after the restart.
                let recorded = await abandonedOnCancellation {
                  await self.attempt(
                    due.message, attemptsMade: due.attemptsMade, number: due.nextNumber)
                }
                if let recorded {
                  finished.withLock { $0.append(recorded) }
                  registry.outboxQueued.wake()
                }
              }
            }
            // While attempts run, each one's end rings the bell; otherwise sleep until the next
            // message is due (a retry, a deferral) or something is queued.
            let busy = !inFlight.withLock { $0.isEmpty }
            await registry.outboxQueued.wait(timeout: busy ? .seconds(1) : try await untilNextDue())
          } catch  where !Task.isCancelled {
            logger.error("delivering the outbox failed", metadata: ["error": "\(error)"])
            try? await Task.sleep(for: .seconds(1))
          } catch {
            break
          }
        }
      }
    }
    // Attempts that finished while stopping are recorded; those cut off stay pending. A channel
    // whose receiver does not answer is given two seconds to close.
    try? await recordFinished()
    let email = email
    let webhook = webhook
    _ = await abandonedOnCancellation(after: .seconds(2)) {
      await email?.shutdown()
      await webhook.shutdown()
    }
  }

  /// Due messages not already in flight, as many as there are free places.
  private func dueMessages() async throws -> [(
    message: OutboxMessage, attemptsMade: Int, nextNumber: Int
  )] {
    let free = concurrency - inFlight.withLock { $0.count }
    guard free > 0 else { return [] }
    let now = registry.clock.now()
    // Only this loop adds to `inFlight`, and removes from it only in `recordFinished`: the picks
    // made against this copy still hold when they are entered below.
    let before = inFlight.withLock { $0 }
    let (limit, perShare) = (4 * concurrency, maxInFlightPerShare)
    let fresh = try await registry.blocking.run { [registry] () throws(RegistryError) in
      var taken: [Share: Int] = [:]
      for share in before.values { taken[share, default: 0] += 1 }
      var picked = 0
      // Decoded are only the messages taken: not those in flight, nor those of a full share.
      return try storageAccess {
        try registry.eventStore.dueMessages(by: now, limit: limit) { id, memberId, channel in
          let share = Share(channel: channel, memberId: memberId)
          guard picked < free, before[id] == nil, taken[share, default: 0] < perShare else {
            return false
          }
          taken[share, default: 0] += 1
          picked += 1
          return true
        }
      }
    }
    inFlight.withLock { inFlight in
      for entry in fresh { inFlight[entry.message.id] = Share(entry.message) }
    }
    return fresh
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

  /// Records every finished attempt in one transaction. A batch that could not be recorded is
  /// kept for the next try: its messages stay in flight (never attempted twice at once) until it is.
  private func recordFinished() async throws {
    let batch = finished.withLock { finished in
      defer { finished.removeAll() }
      return finished
    }
    guard !batch.isEmpty else { return }
    let queuedMore: Bool
    do {
      queuedMore = try await registry.recordDeliveries(batch)
    } catch {
      finished.withLock { $0.insert(contentsOf: batch, at: 0) }
      throw error
    }
    inFlight.withLock { inFlight in
      for recorded in batch { inFlight[recorded.message.id] = nil }
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
      next: Date? = nil, gone: WebhookEndpoint? = nil
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
    // A store that cannot be read now is no reason to give up: the rules and settings are read
    // again in a few seconds, and the attempt does not count.
    func unreadable(_ error: any Error) -> RecordedAttempt {
      recorded(
        .deferred, "the registry's settings could not be read; tried again shortly",
        status: .pending,
        made: attemptsMade, next: now.addingTimeInterval(5))
    }
    if message.kind == .reminder {
      let verdict: ReminderRules.Verdict
      do { verdict = try await registry.reminderVerdict(message) } catch {
        return unreadable(error)
      }
      switch verdict {
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
      let endpoint: WebhookEndpoint?
      do {
        endpoint = try await registry.blocking.run { [registry] () throws(RegistryError) in
          try storageAccess { try registry.eventStore.webhook(memberId: message.memberId) }
        }
      } catch {
        return unreadable(error)
      }
      guard let endpoint, endpoint.disabledAt == nil else {
        let why = endpoint == nil ? "no webhook is set" : "the webhook was disabled"
        return recorded(.undeliverable, why, status: .undeliverable, made: attemptsMade)
      }
      result = await webhook.deliver(
        WebhookCall(
          webhookId: message.id, url: endpoint.url, secrets: endpoint.signingSecrets(at: now),
          body: Data(message.webhookBody.utf8)))
      if case .gone(let detail) = result {
        return recorded(
          .permanentFailure, detail, status: .failed, made: attemptsMade + 1, gone: endpoint)
      }
    }
    let made = attemptsMade + 1
    switch result {
    case .delivered(let detail):
      return recorded(.delivered, detail, status: .delivered, made: made)
    case .permanentFailure(let detail):
      return recorded(.permanentFailure, detail, status: .failed, made: made)
    case .gone(let detail):
      return recorded(.permanentFailure, detail, status: .failed, made: made)
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
          let memberId = recorded.message.memberId
          let detail = recorded.attempt.detail
          // Only the endpoint that answered 410, not one the member set since.
          guard let gone = recorded.endpointGone,
            var endpoint = try session.webhook(memberId: memberId),
            endpoint.disabledAt == nil, endpoint.url == gone.url, endpoint.secret == gone.secret
          else { continue }
          endpoint.disabledAt = recorded.attempt.at
          endpoint.disabledReason = detail
          try session.save(endpoint, memberId: memberId)
          // Alerts stop with it, rather than piling up undeliverable.
          if var settings = try session.alertSettings(memberId: memberId), settings.webhook {
            settings.webhook = false
            try session.save(settings, memberId: memberId)
          }
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

  /// The rules of a queued reminder, as they stand now: its listing's, and the member's schedule
  /// (stopped, or the channel dropped, it is not sent).
  func reminderVerdict(_ message: OutboxMessage) async throws(RegistryError)
    -> ReminderRules.Verdict
  {
    let (listing, schedule) = try await blocking.run { [eventStore] () throws(RegistryError) in
      try eventStore.read { session throws(RegistryError) in
        (
          try session.listing(message.listingId),
          try session.reminderSchedule(listingId: message.listingId)
        )
      }
    }
    guard let listing else { return .stop("the listing is gone") }
    let verdict = ReminderRules.verdict(
      for: listing, on: clock.today, minuteOfDay: clock.minuteOfDay,
      channel: message.reminderChannel)
    guard case .send = verdict else { return verdict }
    guard let schedule, let channel = message.reminderChannel,
      schedule.request.channels.contains(channel)
    else { return .stop("the member stopped these reminders") }
    return .send
  }
}
