import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import OverdueCertificates
import OverdueCore
import OverdueNotify
import OverdueRegistry
import OverdueStore
import Synchronization

/// `overdue-bench deliveries`: the outbox dispatcher in process with the real registry (fresh
/// stores, its log follower running) and the real SMTP and webhook channels, against local
/// receivers: e-mails a second (STARTTLS, AUTH, pooled connections), signed webhook calls a
/// second (HTTPS keep-alive), and the write path's latency with the dispatcher idle and busy.
struct DeliveryBenchmark: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "deliveries",
    abstract: "E-mail and webhook delivery throughput, and write latency while delivering.")

  @Option(help: "E-mails queued (in one transaction) for the e-mail measurement.") var emails =
    2_000
  @Option(help: "Webhook calls queued (in one transaction) for the webhook measurement.")
  var webhooks = 5_000
  @Option(help: "Sequential writes (payments recorded) timed with the dispatcher idle, then busy.")
  var writes = 2_000
  @Option(help: "Attempts the dispatcher makes at once.") var concurrency = 64
  @Option(help: "SMTP connections the e-mail channel keeps.") var smtpConnections = 2

  /// Listings each set of timed writes spreads its payments over (a write replays its listing's
  /// events, so each set has listings of its own, as many and as deep).
  static let listingsPerSet = 100

  func run() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "overdue-bench-deliveries-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let rig = try await DeliveryRig.start(
      in: directory, listings: 3 * Self.listingsPerSet, concurrency: concurrency,
      smtpConnections: smtpConnections)
    do {
      try await measure(rig)
    } catch {
      await rig.stop()
      throw error
    }
    await rig.stop()
  }

  private func measure(_ rig: DeliveryRig) async throws {
    report(
      "registry in \(rig.directory.path): \(rig.listings.count) listings; dispatcher concurrency \(concurrency), SMTP connections \(smtpConnections), webhook calls per endpoint \(rig.webhookCallsPerEndpoint); receivers on a thread of their own"
    )
    // The first connections, handshakes and statements of each channel.
    _ = try await rig.deliver(emails: concurrency, webhooks: concurrency, batch: "warm-up")

    let email = try await rig.deliver(emails: emails, webhooks: 0, batch: "email")
    report(
      "e-mail: \(email.emails) messages in \(ms(email.elapsed)): \(Int(email.emailRate))/s (target ≥ 200/s); SMTP connections opened \(email.smtp.connections), messages \(email.smtp.received), distinct Message-IDs \(email.smtp.distinct); \(perMessage(email))"
    )
    let webhook = try await rig.deliver(emails: 0, webhooks: webhooks, batch: "webhook")
    report(
      "webhooks: \(webhook.webhooks) calls in \(ms(webhook.elapsed)): \(Int(webhook.webhookRate))/s (target ≥ 1000/s); HTTPS connections opened \(webhook.https.connections), calls \(webhook.https.received), distinct webhook-ids \(webhook.https.distinct); \(perMessage(webhook))"
    )

    let (sets, perSet) = (rig.listings, Self.listingsPerSet)
    _ = try await rig.timedWrites(min(writes, 200), listings: sets[0..<perSet], tag: "warm-up")
    let idle = try await rig.timedWrites(
      writes, listings: sets[perSet..<2 * perSet], tag: "idle")
    report("writes, dispatcher idle (outbox empty): \(idle)")
    report("  waits: \(try await rig.waits())")

    // Enough of each to keep both channels busy for twice as long as the idle writes took.
    let span = idle.elapsed.seconds * 2
    let busyEmails = max(concurrency, Int(email.emailRate * span))
    let busyWebhooks = max(concurrency, Int(webhook.webhookRate * span))
    let busy = try await rig.timedWritesWhileDelivering(
      emails: busyEmails, webhooks: busyWebhooks, writes: writes,
      listings: sets[2 * perSet..<3 * perSet])
    report(
      "writes, dispatcher busy (\(busyEmails) e-mails and \(busyWebhooks) webhooks queued): \(busy.writes)"
    )
    report("  waits: \(busy.waits)")
    report(
      "  during the writes \(busy.emailsDuring) e-mails and \(busy.webhooksDuring) webhooks were delivered, \(busy.pendingAfter) still pending after them; the whole batch took \(ms(busy.batch.elapsed)) (\(Int(busy.batch.emailRate)) e-mails/s, \(Int(busy.batch.webhookRate)) webhooks/s)"
    )
    if busy.pendingAfter == 0 {
      report("  warning: the outbox ran dry before the writes ended; the busy figures are diluted")
    }
    let (idleWrites, busyWrites) = (Percentiles(idle.latencies), Percentiles(busy.writes.latencies))
    report(
      "  busy/idle: p50 \(ratio(busyWrites.p50, idleWrites.p50)), p99 \(ratio(busyWrites.p99, idleWrites.p99)) (target: p99 ≤ 1.10)"
    )

    let (smtp, https) = (rig.smtp.tally.counts, rig.receiver.tally.counts)
    let outbox = try rig.events.outboxCounts().sorted { $0.key.rawValue < $1.key.rawValue }
    report(
      "identity: SMTP \(smtp.received) messages, \(smtp.distinct) distinct Message-IDs; HTTPS \(https.received) calls, \(https.distinct) distinct webhook-ids; outbox \(outbox.map { "\($0.key.rawValue.lowercased()) \($0.value)" }.joined(separator: ", "))"
    )
  }

  private func ms(_ duration: Duration) -> String {
    String(format: "%.0f ms", duration.seconds * 1000)
  }

  private func ratio(_ busy: Duration, _ idle: Duration) -> String {
    String(format: "%.2f", busy.seconds / idle.seconds)
  }

  private func perMessage(_ delivery: DeliveryRig.Delivery) -> String {
    let messages = Double(delivery.emails + delivery.webhooks)
    return String(
      format: "CPU %.0f µs a message (receivers %.0f), ",
      delivery.cpu.process / messages * 1e6, delivery.cpu.receivers / messages * 1e6)
      + delivery.cpu.cores(over: delivery.elapsed)
  }
}

/// The 50th and 99th percentiles and the largest of some durations.
struct Percentiles: CustomStringConvertible {
  var p50: Duration
  var p99: Duration
  var max: Duration

  init(_ durations: [Duration]) {
    let sorted = durations.sorted()
    p50 = sorted[sorted.count / 2]
    p99 = sorted[Swift.min(sorted.count - 1, sorted.count * 99 / 100)]
    max = sorted[sorted.count - 1]
  }

  var description: String {
    func ms(_ value: Duration) -> String { String(format: "%.2f", value.seconds * 1000) }
    return "p50 \(ms(p50)) ms, p99 \(ms(p99)) ms, max \(ms(max)) ms"
  }
}

/// CPU time so far: the whole process's, and the local receivers' thread's (part of it).
struct CPUTime {
  var process: Double
  var receivers: Double

  static func - (later: CPUTime, earlier: CPUTime) -> CPUTime {
    CPUTime(
      process: later.process - earlier.process, receivers: later.receivers - earlier.receivers)
  }

  func cores(over elapsed: Duration) -> String {
    String(
      format: "%.2f cores (receivers %.2f)", process / elapsed.seconds,
      receivers / elapsed.seconds)
  }
}

/// The registry, its follower and outbox dispatcher over the real channels, and the local
/// receivers those call, for one run of `deliveries`.
final class DeliveryRig: Sendable {
  let directory: URL
  let events: EventStore
  let registry: Registry
  let smtp: LocalSMTPServer
  let receiver: LocalWebhookReceiver
  let listings: [String]
  let webhookCallsPerEndpoint: Int
  private let memberId: String
  private let receiverGroup: MultiThreadedEventLoopGroup
  /// The receivers' one event loop thread, whose CPU time is counted apart.
  private let receiverThread: Int32
  private let services: [Task<Void, Never>]
  private let batches = Shared(0)

  private init(
    directory: URL, events: EventStore, registry: Registry, smtp: LocalSMTPServer,
    receiver: LocalWebhookReceiver, listings: [String], memberId: String,
    webhookCallsPerEndpoint: Int, receiverGroup: MultiThreadedEventLoopGroup,
    receiverThread: Int32, services: [Task<Void, Never>]
  ) {
    self.directory = directory
    self.events = events
    self.registry = registry
    self.smtp = smtp
    self.receiver = receiver
    self.listings = listings
    self.memberId = memberId
    self.webhookCallsPerEndpoint = webhookCallsPerEndpoint
    self.receiverGroup = receiverGroup
    self.receiverThread = receiverThread
    self.services = services
  }

  /// Fresh stores in `directory` with `listings` listed parties of one member (whose webhook is
  /// the local receiver), the receivers on an event loop of their own, and the services running.
  static func start(
    in directory: URL, listings count: Int, concurrency: Int, smtpConnections: Int
  ) async throws -> DeliveryRig {
    let events = try EventStore(path: directory.appendingPathComponent("events.sqlite").path)
    // Member M-BENCH with listings L-BENCH-00000000 and on, filed and verified.
    var synthetic = SyntheticRegistry(seed: 11)
    _ = try synthetic.populate(events, parties: count) { _ in }
    let (memberId, listingIds) = ("M-BENCH", (0..<count).map { String(format: "L-BENCH-%08d", $0) })
    var logger = Logger(label: "overdue-bench")
    logger.logLevel = .warning
    var notices = NoticePolicy()
    notices.webhookAllowPrivate = true
    let registry = try Registry(
      eventStore: events,
      readModel: try ReadModel(path: directory.appendingPathComponent("read.sqlite").path),
      authority: try CertificateAuthority.create(commonName: "Overdue bench registry CA"),
      policy: .defaults, clock: RegistryClock(), logger: logger,
      readYourWritesWait: .seconds(2), notices: notices)

    let receiverGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    // `/proc/thread-self` names the calling thread: PID/task/TID.
    let receiverThread = try await receiverGroup.next().submit {
      try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")
        .split(separator: "/").last.flatMap { Int32($0) } ?? 0
    }.get()
    let pki = try ReceiverPKI(in: directory)
    let smtp = try await LocalSMTPServer.start(group: receiverGroup, tls: pki.context)
    let receiver = try await LocalWebhookReceiver.start(group: receiverGroup, tls: pki.context)
    let email = try SMTPChannel(
      configuration: try SMTPConfiguration(
        url: "smtp://bench:bench-password@127.0.0.1:\(smtp.port)",
        from: "notices@overdue.registry"
      ) {
        $0.extraTrustRootsPEMFile = pki.caFile
        $0.connections = smtpConnections
      })
    let webhooks = WebhookConfiguration.defaults {
      $0.allowPrivate = true
      $0.extraTrustRootsPEMFile = pki.caFile
    }
    let dispatcher = OutboxDispatcher(
      registry: registry, email: email, webhook: try WebhookChannel(configuration: webhooks),
      concurrency: concurrency, logger: logger)
    let services = [
      Task { await registry.follower.run() }, Task { await dispatcher.run() },
    ]
    let member = Actor.member(memberId)
    _ = try await registry.setWebhook(
      url: receiver.url, contactEmail: "ops@member.example", memberId: memberId,
      key: IdempotencyKey(
        principal: member.description, requestId: "bench-webhook", fingerprint: "bench-webhook"))
    return DeliveryRig(
      directory: directory, events: events, registry: registry, smtp: smtp, receiver: receiver,
      listings: listingIds, memberId: memberId,
      webhookCallsPerEndpoint: webhooks.maxConcurrentPerEndpoint, receiverGroup: receiverGroup,
      receiverThread: receiverThread, services: services)
  }

  /// Stops the dispatcher (which closes its channels) and the follower, then the receivers.
  func stop() async {
    for service in services { service.cancel() }
    for service in services { await service.value }
    await registry.blocking.shutdown()
    await smtp.stop()
    await receiver.stop()
    try? await receiverGroup.shutdownGracefully()
  }

  /// The CPU time used so far.
  func cpuUsed() -> CPUTime {
    CPUTime(
      process: cpuTime(statFile: "/proc/self/stat"),
      receivers: cpuTime(statFile: "/proc/self/task/\(receiverThread)/stat"))
  }

  // MARK: Deliveries

  /// One batch delivered: how many of each, how long until the outbox recorded every one as
  /// delivered, what the receivers saw meanwhile, and the CPU time used.
  struct Delivery {
    var emails: Int
    var webhooks: Int
    var elapsed: Duration
    var smtp: ReceiverTally.Counts
    var https: ReceiverTally.Counts
    var cpu: CPUTime

    var emailRate: Double { Double(emails) / elapsed.seconds }
    var webhookRate: Double { Double(webhooks) / elapsed.seconds }
  }

  /// Queues `emails` and `webhooks` messages in one transaction, wakes the dispatcher and waits
  /// until the outbox has them all delivered.
  func deliver(emails: Int, webhooks: Int, batch: String) async throws -> Delivery {
    try await startBatch(emails: emails, webhooks: webhooks, batch: batch).finish()
  }

  /// A batch on its way, and where the counts stood when it was queued.
  struct StartedBatch {
    let rig: DeliveryRig
    let emails: Int
    let webhooks: Int
    let deliveredBefore: Int
    let started: ContinuousClock.Instant
    let cpuBefore: CPUTime
    let smtpBefore: ReceiverTally.Counts
    let httpsBefore: ReceiverTally.Counts

    /// Waits until the outbox records every message of the batch as delivered.
    func finish(timeout: Duration = .seconds(600)) async throws -> Delivery {
      let deadline = started + timeout
      // The receivers' counts first (in memory), then the outbox's.
      while rig.smtp.tally.counts.received - smtpBefore.received < emails
        || rig.receiver.tally.counts.received - httpsBefore.received < webhooks
      {
        guard ContinuousClock.now < deadline else { throw try rig.stalled("the receivers") }
        try await Task.sleep(for: .milliseconds(5))
      }
      while try rig.events.outboxCounts()[.delivered, default: 0]
        < deliveredBefore + emails + webhooks
      {
        guard ContinuousClock.now < deadline else { throw try rig.stalled("the outbox") }
        try await Task.sleep(for: .milliseconds(5))
      }
      let elapsed = ContinuousClock.now - started
      let (smtp, https) = (rig.smtp.tally.counts, rig.receiver.tally.counts)
      return Delivery(
        emails: emails, webhooks: webhooks, elapsed: elapsed, smtp: smtp - smtpBefore,
        https: https - httpsBefore, cpu: rig.cpuUsed() - cpuBefore)
    }
  }

  /// Queues the batch in one transaction and wakes the dispatcher. The counts are taken before
  /// it commits (the dispatcher may be awake already and start on it at once): the batch before
  /// has been delivered in full, so nothing else moves them.
  func startBatch(emails: Int, webhooks: Int, batch: String) async throws -> StartedBatch {
    let messages = self.messages(emails: emails, webhooks: webhooks)
    let deliveredBefore = try events.outboxCounts()[.delivered, default: 0]
    let (smtpBefore, httpsBefore) = (smtp.tally.counts, receiver.tally.counts)
    try await registry.blocking.run { [events] () throws(RegistryError) in
      try events.perform(systemRequest: "bench-\(batch)") { session throws(RegistryError) in
        for message in messages { try session.enqueue(message) }
      }
    }
    let started = StartedBatch(
      rig: self, emails: emails, webhooks: webhooks, deliveredBefore: deliveredBefore,
      started: .now, cpuBefore: cpuUsed(), smtpBefore: smtpBefore, httpsBefore: httpsBefore)
    registry.deliverQueuedNow()
    return started
  }

  private func stalled(_ waitingFor: String) throws -> BenchError {
    BenchError(
      "deliveries stalled waiting for \(waitingFor): outbox \(try events.outboxCounts()), SMTP \(smtp.tally.counts), HTTPS \(receiver.tally.counts)"
    )
  }

  /// A batch's messages, e-mails and webhooks interleaved evenly (all are due at once, and the
  /// dispatcher takes them in the order queued).
  private func messages(emails: Int, webhooks: Int) -> [OutboxMessage] {
    let batch = batches.value.withLock { value in
      value += 1
      return value
    }
    let now = Date()
    var messages: [OutboxMessage] = []
    messages.reserveCapacity(emails + webhooks)
    var (madeEmails, madeWebhooks) = (0, 0)
    while madeEmails < emails || madeWebhooks < webhooks {
      // Whichever kind is further behind its share goes next.
      if madeWebhooks == webhooks
        || (madeEmails < emails && madeEmails * webhooks <= madeWebhooks * emails)
      {
        messages.append(emailMessage(batch: batch, index: madeEmails, at: now))
        madeEmails += 1
      } else {
        messages.append(webhookMessage(batch: batch, index: madeWebhooks, at: now))
        madeWebhooks += 1
      }
    }
    return messages
  }

  /// A notice to a party that it is listed, about as long as the registry's own.
  private func emailMessage(batch: Int, index: Int, at now: Date) -> OutboxMessage {
    let listingId = listings[index % listings.count]
    let lines = [
      "Dear Accounts Team,",
      "",
      "Benchmark Member has listed an unpaid debt of yours on the Overdue registry.",
      "",
      "Listing: \(listingId)",
      "Outstanding: INR 5,000.00 (invoiced INR 5,000.00)",
      "  Invoice B\(index) of 2026-05-01, due 2026-06-01: INR 5,000.00",
      "",
      "Anyone checking your GSTIN with the registry now sees this listing. Once Benchmark Member",
      "confirms your payment, the listing is settled and its credit impact ends.",
      "",
      "If you dispute the debt, write to the registry's operator quoting the listing id.",
    ]
    return OutboxMessage(
      id: "bench.\(batch).email.\(index)", kind: .partyListed, channel: .email,
      memberId: memberId, listingId: listingId, recipient: "accounts+\(index)@buyer.example",
      subject: "You have been listed on the Overdue registry by Benchmark Member",
      text: lines.joined(separator: "\n"),
      html: "<html><body>" + lines.map { "<p>\($0)</p>" }.joined() + "</body></html>",
      createdAt: now)
  }

  /// A watch alert, shaped as the registry's.
  private func webhookMessage(batch: Int, index: Int, at now: Date) -> OutboxMessage {
    let listingId = listings[index % listings.count]
    let envelope: [String: Any] = [
      "type": "watch.change", "timestamp": now.formatted(.iso8601),
      "data": [
        "sequence": index, "listing_id": listingId, "change": "LISTED", "status": "LISTED",
        "party": ["scheme": "GSTIN", "value": "24AAACC1206D1ZM"], "at": now.formatted(.iso8601),
      ],
    ]
    let body =
      (try? JSONSerialization.data(withJSONObject: envelope, options: [.sortedKeys])) ?? Data()
    return OutboxMessage(
      id: "bench.\(batch).webhook.\(index)", kind: .alert, channel: .webhook, memberId: memberId,
      listingId: listingId, recipient: receiver.url, subject: "LISTED 24AAACC1206D1ZM",
      webhookBody: String(decoding: body, as: UTF8.self), createdAt: now)
  }

  // MARK: Writes

  /// Sequential writes timed: each one's latency as its caller sees it (the read model has
  /// applied it), and the CPU time used meanwhile.
  struct TimedWrites: CustomStringConvertible {
    var latencies: [Duration]
    var elapsed: Duration
    var cpu: CPUTime

    var description: String {
      "\(latencies.count) writes, \(Percentiles(latencies)); CPU \(cpu.cores(over: elapsed))"
    }
  }

  /// `count` sequential payments recorded through the registry's write path, spread over
  /// `listings`.
  func timedWrites(_ count: Int, listings: ArraySlice<String>, tag: String) async throws
    -> TimedWrites
  {
    let member = Actor.member(memberId)
    let clock = ContinuousClock()
    let (started, cpuBefore) = (clock.now, cpuUsed())
    var latencies: [Duration] = []
    latencies.reserveCapacity(count)
    for index in 0..<count {
      let listingId = listings[listings.startIndex + index % listings.count]
      let request = "\(tag)-\(index)"
      let payment = Payment(amountMinor: 1, paidOn: registry.clock.today, reference: request)
      latencies.append(
        try await clock.measure {
          _ = try await registry.run(
            .recordPayment(payment), listingId: listingId, actor: member,
            key: IdempotencyKey(
              principal: member.description, requestId: request, fingerprint: request))
        })
    }
    return TimedWrites(
      latencies: latencies, elapsed: clock.now - started, cpu: cpuUsed() - cpuBefore)
  }

  /// Writes timed while a batch was being delivered, what the dispatcher did meanwhile, and the
  /// waits sampled just before.
  struct BusyWrites {
    var writes: TimedWrites
    var waits: Waits
    var emailsDuring: Int
    var webhooksDuring: Int
    var pendingAfter: Int
    var batch: Delivery
  }

  /// Times `writes` writes while a batch of e-mails and webhooks is delivered (once both have
  /// begun to arrive), then waits for the batch to finish.
  func timedWritesWhileDelivering(
    emails: Int, webhooks: Int, writes: Int, listings: ArraySlice<String>
  ) async throws -> BusyWrites {
    let batch = try await startBatch(emails: emails, webhooks: webhooks, batch: "busy")
    while smtp.tally.counts.received == batch.smtpBefore.received
      || receiver.tally.counts.received == batch.httpsBefore.received
    {
      try await Task.sleep(for: .milliseconds(1))
    }
    let waits = try await self.waits()
    let before = (smtp.tally.counts.received, receiver.tally.counts.received)
    let timed = try await timedWrites(writes, listings: listings, tag: "busy")
    let after = (smtp.tally.counts.received, receiver.tally.counts.received)
    let pending = try events.outboxCounts()[.pending, default: 0]
    return BusyWrites(
      writes: timed, waits: waits, emailsDuring: after.0 - before.0,
      webhooksDuring: after.1 - before.1, pendingAfter: pending, batch: try await batch.finish())
  }

  /// What a write can wait for besides its own work.
  struct Waits: CustomStringConvertible {
    var poolHop: [Duration]
    var writer: [Duration]
    var wakeUp: [Duration]

    var description: String {
      func brief(_ durations: [Duration]) -> String {
        let percentiles = Percentiles(durations)
        return String(
          format: "p50 %.2f, p99 %.2f ms", percentiles.p50.seconds * 1000,
          percentiles.p99.seconds * 1000)
      }
      return
        "a hop onto the blocking pool \(brief(poolHop)); the log's writer (an empty transaction) \(brief(writer)); a 2 ms sleep's lateness \(brief(wakeUp))"
    }
  }

  /// `samples` of each wait, one after another: a hop onto the registry's blocking pool, the
  /// event log's writer (an empty write transaction, timed on the pool), and the scheduler (how
  /// late a 2 ms sleep wakes).
  func waits(samples: Int = 200) async throws -> Waits {
    let clock = ContinuousClock()
    var waits = Waits(poolHop: [], writer: [], wakeUp: [])
    for _ in 0..<samples {
      waits.poolHop.append(
        try await clock.measure { try await registry.blocking.run { () throws(RegistryError) in } })
      waits.writer.append(
        try await registry.blocking.run { [events] () throws(RegistryError) in
          let started = clock.now
          try events.perform(systemRequest: "bench-wait") { _ throws(RegistryError) in }
          return clock.now - started
        })
      let asleep = clock.now
      try await Task.sleep(for: .milliseconds(2))
      waits.wakeUp.append(clock.now - asleep - .milliseconds(2))
    }
    return waits
  }
}

extension ReceiverTally.Counts {
  /// What was counted between `earlier` and these counts.
  static func - (later: Self, earlier: Self) -> Self {
    Self(
      connections: later.connections - earlier.connections,
      received: later.received - earlier.received, distinct: later.distinct - earlier.distinct)
  }
}
