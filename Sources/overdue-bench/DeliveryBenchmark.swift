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

  func run() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "overdue-bench-deliveries-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let rig = try await DeliveryRig.start(
      in: directory, listings: 3 * Self.listingsPerRun, concurrency: concurrency,
      smtpConnections: smtpConnections)
    do {
      try await measure(rig)
    } catch {
      await rig.stop()
      throw error
    }
    await rig.stop()
  }

  /// Listings each set of timed writes spreads its payments over (a write replays its listing's
  /// events, so each set gets listings of its own and the same depth of them).
  static let listingsPerRun = 100

  private func measure(_ rig: DeliveryRig) async throws {
    report(
      "registry in \(rig.directory.path): \(rig.listings.count) listings, dispatcher concurrency \(concurrency), SMTP connections \(smtpConnections), webhook calls per endpoint \(rig.webhookChannelLimit)"
    )
    // Warm-up: the first connections, handshakes and statements of each channel.
    _ = try await rig.deliver(emails: concurrency, webhooks: concurrency, batch: "warm-up")

    let email = try await rig.deliver(emails: emails, webhooks: 0, batch: "email")
    report(
      "e-mail: \(email.emails) messages in \(ms(email.elapsed)): \(Int(email.emailRate))/s (target ≥ 200/s); SMTP connections opened \(email.smtp.connections), messages \(email.smtp.received), distinct Message-IDs \(email.smtp.distinct); \(cpu(email))"
    )
    let webhook = try await rig.deliver(emails: 0, webhooks: webhooks, batch: "webhook")
    report(
      "webhooks: \(webhook.webhooks) calls in \(ms(webhook.elapsed)): \(Int(webhook.webhookRate))/s (target ≥ 1000/s); HTTPS connections opened \(webhook.https.connections), calls \(webhook.https.received), distinct webhook-ids \(webhook.https.distinct); \(cpu(webhook))"
    )

    let listings = rig.listings
    let perRun = Self.listingsPerRun
    _ = try await rig.timedWrites(
      min(writes, 200), listings: listings[0..<perRun], tag: "warm-up")
    let idle = try await rig.timedWrites(
      writes, listings: listings[perRun..<2 * perRun], tag: "idle")
    let idleSummary = LatencySummary(idle)
    report("writes, dispatcher idle (outbox empty): \(idleSummary)")

    // Enough of each to keep both channels busy for twice as long as the idle writes took.
    let span = idle.elapsed.seconds * 2
    let busyEmails = max(concurrency, Int(email.emailRate * span))
    let busyWebhooks = max(concurrency, Int(webhook.webhookRate * span))
    let (busy, during) = try await rig.timedWritesWhileDelivering(
      emails: busyEmails, webhooks: busyWebhooks, writes: writes,
      listings: listings[2 * perRun..<3 * perRun])
    let busySummary = LatencySummary(busy)
    report(
      "writes, dispatcher busy (\(busyEmails) e-mails and \(busyWebhooks) webhooks queued; \(during.emailsDuringWrites) e-mails and \(during.webhooksDuringWrites) webhooks delivered during the writes, \(during.pendingAfterWrites) still pending after them): \(busySummary)"
    )
    report(
      "  busy/idle: p50 \(ratio(busySummary.p50, idleSummary.p50)), p99 \(ratio(busySummary.p99, idleSummary.p99)) (target: p99 ≤ 1.10)"
    )
    if during.pendingAfterWrites == 0 {
      report("  warning: the outbox ran dry before the writes ended; the busy figures are diluted")
    }
    let delivery = during.delivery
    report(
      "  the busy batch: \(delivery.emails) e-mails at \(Int(delivery.emailRate))/s and \(delivery.webhooks) webhooks at \(Int(delivery.webhookRate))/s over \(ms(delivery.elapsed))"
    )

    let smtp = rig.smtp.tally.counts
    let https = rig.receiver.tally.counts
    let outbox = try rig.events.outboxCounts()
    report(
      "identity: SMTP \(smtp.received) messages, \(smtp.distinct) distinct Message-IDs; HTTPS \(https.received) calls, \(https.distinct) distinct webhook-ids; outbox \(outbox.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue.lowercased()) \($0.value)" }.joined(separator: ", "))"
    )
  }

  private func ms(_ duration: Duration) -> String {
    String(format: "%.0f ms", duration.seconds * 1000)
  }

  private func ratio(_ busy: Duration, _ idle: Duration) -> String {
    String(format: "%.2f", busy.seconds / idle.seconds)
  }

  private func cpu(_ delivery: DeliveryRig.Delivery) -> String {
    let messages = delivery.emails + delivery.webhooks
    return String(
      format: "process CPU %.0f µs a message (%.2f cores, receivers included)",
      delivery.cpuSeconds / Double(messages) * 1e6, delivery.cpuSeconds / delivery.elapsed.seconds)
  }
}

/// p50, p99 and the largest of a set of timed writes, and the CPU the process used meanwhile.
struct LatencySummary: CustomStringConvertible {
  var count: Int
  var p50: Duration
  var p99: Duration
  var max: Duration
  var cores: Double

  init(_ writes: DeliveryRig.TimedWrites) {
    let sorted = writes.latencies.sorted()
    count = sorted.count
    p50 = sorted[sorted.count / 2]
    p99 = sorted[Swift.min(sorted.count - 1, sorted.count * 99 / 100)]
    max = sorted[sorted.count - 1]
    cores = writes.cpuSeconds / writes.elapsed.seconds
  }

  var description: String {
    func ms(_ value: Duration) -> String { String(format: "%.2f ms", value.seconds * 1000) }
    return
      "\(count) writes, p50 \(ms(p50)), p99 \(ms(p99)), max \(ms(max)); process CPU \(String(format: "%.2f", cores)) cores"
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
  let webhookChannelLimit: Int
  private let memberId = "M-BENCH"
  private let receiverGroup: MultiThreadedEventLoopGroup
  private let services: [Task<Void, Never>]
  private let batches = Shared(0)

  private init(
    directory: URL, events: EventStore, registry: Registry, smtp: LocalSMTPServer,
    receiver: LocalWebhookReceiver, listings: [String], webhookChannelLimit: Int,
    receiverGroup: MultiThreadedEventLoopGroup, services: [Task<Void, Never>]
  ) {
    self.directory = directory
    self.events = events
    self.registry = registry
    self.smtp = smtp
    self.receiver = receiver
    self.listings = listings
    self.webhookChannelLimit = webhookChannelLimit
    self.receiverGroup = receiverGroup
    self.services = services
  }

  /// Fresh stores in `directory` with `listings` listed parties of one member (whose webhook is
  /// the local receiver), the receivers on an event loop of their own, and the services running.
  static func start(
    in directory: URL, listings count: Int, concurrency: Int, smtpConnections: Int
  ) async throws -> DeliveryRig {
    let events = try EventStore(path: directory.appendingPathComponent("events.sqlite").path)
    var synthetic = SyntheticRegistry(seed: 11)
    let listed = try synthetic.populate(events, parties: count) { _ in }.identifiers
    let listingIds = (0..<listed.count).map { String(format: "L-BENCH-%08d", $0) }
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
    let webhookConfiguration = WebhookConfiguration.defaults {
      $0.allowPrivate = true
      $0.extraTrustRootsPEMFile = pki.caFile
    }
    let dispatcher = OutboxDispatcher(
      registry: registry, email: email,
      webhook: try WebhookChannel(configuration: webhookConfiguration),
      concurrency: concurrency, logger: logger)
    let services = [
      Task { await registry.follower.run() }, Task { await dispatcher.run() },
    ]
    let member = Actor.member("M-BENCH")
    _ = try await registry.setWebhook(
      url: receiver.url, contactEmail: "ops@member.example", memberId: "M-BENCH",
      key: IdempotencyKey(
        principal: member.description, requestId: "bench-webhook", fingerprint: "bench-webhook"))
    return DeliveryRig(
      directory: directory, events: events, registry: registry, smtp: smtp, receiver: receiver,
      listings: listingIds, webhookChannelLimit: webhookConfiguration.maxConcurrentPerEndpoint,
      receiverGroup: receiverGroup, services: services)
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

  /// One batch delivered: how many of each, how long until the outbox recorded every one as
  /// delivered, what the receivers saw meanwhile, and the process's CPU time.
  struct Delivery {
    var emails: Int
    var webhooks: Int
    var elapsed: Duration
    var smtp: ReceiverTally.Counts
    var https: ReceiverTally.Counts
    var cpuSeconds: Double

    var emailRate: Double { Double(emails) / elapsed.seconds }
    var webhookRate: Double { Double(webhooks) / elapsed.seconds }
  }

  /// Queues `emails` and `webhooks` messages in one transaction, wakes the dispatcher and waits
  /// until the outbox has them all delivered.
  func deliver(emails: Int, webhooks: Int, batch: String) async throws -> Delivery {
    let started = try await startBatch(emails: emails, webhooks: webhooks, batch: batch)
    return try await started.finish()
  }

  /// A batch on its way.
  struct StartedBatch {
    let rig: DeliveryRig
    let emails: Int
    let webhooks: Int
    let deliveredBefore: Int
    let started: ContinuousClock.Instant
    let cpuBefore: Double
    let smtpBefore: ReceiverTally.Counts
    let httpsBefore: ReceiverTally.Counts

    /// Waits until the outbox records every message of the batch as delivered.
    func finish(timeout: Duration = .seconds(600)) async throws -> Delivery {
      let total = deliveredBefore + emails + webhooks
      let deadline = started + timeout
      // The receivers' counts first (in memory), then the outbox's.
      while rig.smtp.tally.counts.received - smtpBefore.received < emails
        || rig.receiver.tally.counts.received - httpsBefore.received < webhooks
      {
        guard ContinuousClock.now < deadline else { throw try rig.stalled("receivers") }
        try await Task.sleep(for: .milliseconds(5))
      }
      while try rig.events.outboxCounts()[.delivered, default: 0] < total {
        guard ContinuousClock.now < deadline else { throw try rig.stalled("outbox") }
        try await Task.sleep(for: .milliseconds(5))
      }
      let elapsed = ContinuousClock.now - started
      func since(_ before: ReceiverTally.Counts, _ now: ReceiverTally.Counts)
        -> ReceiverTally.Counts
      {
        ReceiverTally.Counts(
          connections: now.connections - before.connections,
          received: now.received - before.received, distinct: now.distinct - before.distinct)
      }
      return Delivery(
        emails: emails, webhooks: webhooks, elapsed: elapsed,
        smtp: since(smtpBefore, rig.smtp.tally.counts),
        https: since(httpsBefore, rig.receiver.tally.counts),
        cpuSeconds: processCPUSeconds() - cpuBefore)
    }
  }

  func startBatch(emails: Int, webhooks: Int, batch: String) async throws -> StartedBatch {
    let messages = self.messages(emails: emails, webhooks: webhooks, batch: batch)
    let deliveredBefore = try events.outboxCounts()[.delivered, default: 0]
    try await registry.blocking.run { [events] () throws(RegistryError) in
      try events.perform(systemRequest: "bench-\(batch)") { session throws(RegistryError) in
        for message in messages { try session.enqueue(message) }
      }
    }
    let started = StartedBatch(
      rig: self, emails: emails, webhooks: webhooks, deliveredBefore: deliveredBefore,
      started: .now, cpuBefore: processCPUSeconds(), smtpBefore: smtp.tally.counts,
      httpsBefore: receiver.tally.counts)
    registry.deliverQueuedNow()
    return started
  }

  private func stalled(_ waitingFor: String) throws -> BenchError {
    BenchError(
      "deliveries stalled (waiting for the \(waitingFor)): outbox \(try events.outboxCounts()), SMTP \(smtp.tally.counts), HTTPS \(receiver.tally.counts)"
    )
  }

  /// The batch's messages, e-mails and webhooks interleaved evenly (they are due at the same
  /// time, and the dispatcher takes them in the order queued).
  private func messages(emails: Int, webhooks: Int, batch: String) -> [OutboxMessage] {
    let number = batches.value.withLock { value in
      value += 1
      return value
    }
    let now = Date()
    var messages: [OutboxMessage] = []
    messages.reserveCapacity(emails + webhooks)
    var (madeEmails, madeWebhooks) = (0, 0)
    while madeEmails < emails || madeWebhooks < webhooks {
      // Whichever kind is further behind its share goes next.
      if madeWebhooks >= webhooks || (madeEmails < emails && madeEmails * webhooks <= madeWebhooks * emails) {
        messages.append(emailMessage(batch: number, index: madeEmails, at: now))
        madeEmails += 1
      } else {
        messages.append(webhookMessage(batch: number, index: madeWebhooks, at: now))
        madeWebhooks += 1
      }
    }
    return messages
  }

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

  private func webhookMessage(batch: Int, index: Int, at now: Date) -> OutboxMessage {
    let listingId = listings[index % listings.count]
    let envelope: [String: Any] = [
      "type": "watch.change", "timestamp": now.formatted(.iso8601),
      "data": [
        "sequence": index, "listing_id": listingId, "change": "LISTED", "status": "LISTED",
        "party": ["scheme": "GSTIN", "value": "24AAACC1206D1ZM"],
        "at": now.formatted(.iso8601),
      ],
    ]
    let body = (try? JSONSerialization.data(withJSONObject: envelope, options: [.sortedKeys]))
      ?? Data()
    return OutboxMessage(
      id: "bench.\(batch).webhook.\(index)", kind: .alert, channel: .webhook, memberId: memberId,
      listingId: listingId, recipient: receiver.url, subject: "LISTED 24AAACC1206D1ZM",
      webhookBody: String(decoding: body, as: UTF8.self), createdAt: now)
  }

  /// Sequential writes timed: each one's latency as its caller sees it (the read model has
  /// applied it), and the process's CPU use meanwhile.
  struct TimedWrites {
    var latencies: [Duration]
    var elapsed: Duration
    var cpuSeconds: Double
  }

  /// `count` sequential payments recorded through the registry's write path, spread over
  /// `listings`.
  func timedWrites(_ count: Int, listings: ArraySlice<String>, tag: String) async throws
    -> TimedWrites
  {
    let member = Actor.member(memberId)
    let clock = ContinuousClock()
    let (started, cpuBefore) = (clock.now, processCPUSeconds())
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
      latencies: latencies, elapsed: clock.now - started,
      cpuSeconds: processCPUSeconds() - cpuBefore)
  }

  /// What the dispatcher did while writes were timed.
  struct DuringWrites {
    var emailsDuringWrites: Int
    var webhooksDuringWrites: Int
    var pendingAfterWrites: Int
    var delivery: Delivery
  }

  /// Times `writes` writes while a batch of e-mails and webhooks is delivered (once both have
  /// begun to arrive), then waits for the batch to finish.
  func timedWritesWhileDelivering(
    emails: Int, webhooks: Int, writes: Int, listings: ArraySlice<String>
  ) async throws -> (TimedWrites, DuringWrites) {
    let batch = try await startBatch(emails: emails, webhooks: webhooks, batch: "busy")
    while smtp.tally.counts.received == batch.smtpBefore.received
      || receiver.tally.counts.received == batch.httpsBefore.received
    {
      try await Task.sleep(for: .milliseconds(1))
    }
    let (smtpStart, httpsStart) = (smtp.tally.counts.received, receiver.tally.counts.received)
    let latencies = try await timedWrites(writes, listings: listings, tag: "busy")
    let (smtpEnd, httpsEnd) = (smtp.tally.counts.received, receiver.tally.counts.received)
    let pending = try events.outboxCounts()[.pending, default: 0]
    let delivery = try await batch.finish()
    return (
      latencies,
      DuringWrites(
        emailsDuringWrites: smtpEnd - smtpStart, webhooksDuringWrites: httpsEnd - httpsStart,
        pendingAfterWrites: pending, delivery: delivery)
    )
  }
}

/// CPU time (user and system, all threads) this process has used so far, in seconds.
func processCPUSeconds() -> Double {
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
  return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
