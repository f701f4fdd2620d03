import Crypto
public import Foundation
public import Logging
public import OverdueCertificates
public import OverdueCore
public import OverdueRegistry
public import OverdueStore
import Synchronization

/// A small registry for newcomers, made through the real commands (so it is all in the log): three
/// members and a few dozen parties covering every status — active, on a plan, plan breached,
/// disputed, settled in full and for less, a repeat defaulter, a PAN group, and voided, withdrawn
/// and pending listings that checks never show. Dates are relative to today. Member identity
/// directories are written to `DATA/certs/demo/<slug>/`.
public final class DemoRegistry {
  struct MemberSeed {
    var slug: String
    var name: String
    var gstin: String
    var sector: String
  }

  static let members = [
    MemberSeed(
      slug: "sharma", name: "Sharma Steel Traders", gstin: "24AAACC1206D1ZM",
      sector: "Steel distribution"),
    MemberSeed(
      slug: "kaveri", name: "Kaveri Foods Private Limited", gstin: "33AAACH7409R1Z8",
      sector: "Food wholesale"),
    MemberSeed(
      slug: "deccan", name: "Deccan Textiles", gstin: "27AAACT2727Q1ZW", sector: "Textiles"),
  ]

  /// The registry clock the seeder moves: a calendar day, at noon UTC.
  final class Clock: Sendable {
    let day: Mutex<CalendarDate>
    init(_ day: CalendarDate) { self.day = Mutex(day) }
    var now: Date {
      Date(timeIntervalSince1970: Double(day.withLock { $0.dayNumber }) * 86_400 + 43_200)
    }
  }

  let registry: Registry
  let today: CalendarDate
  let clock: Clock
  var requests = 0
  var parties = SyntheticParties(seed: 2026)
  var memberIds: [String] = []

  private init(registry: Registry, today: CalendarDate, clock: Clock) {
    self.registry = registry
    self.today = today
    self.clock = clock
  }

  /// The seed `overdued --demo` runs: the demo registry, when the data directory is empty.
  public static let seed: @Sendable (RegistrySeedContext) async throws -> Void = { context in
    guard
      try await seedIfEmpty(
        eventStore: context.eventStore, readModel: context.readModel,
        authority: context.authority, policy: context.policy,
        certificates: context.certificates, logger: context.logger)
    else { return }
    context.logger.notice(
      "seeded the demo registry; try: overdue check 27AAPFU0939F1ZV",
      metadata: ["member identities": "\(context.certificates.path)/demo"])
  }

  /// Seeds an empty registry; returns false (and does nothing) when it already holds events.
  public static func seedIfEmpty(
    eventStore: EventStore, readModel: ReadModel, authority: CertificateAuthority,
    policy: FilingPolicy,
    certificates: URL, logger: Logger
  ) async throws -> Bool {
    guard try eventStore.lastSequence() == 0 else { return false }
    let today = CalendarDate(Date(), in: TimeZone(identifier: "UTC")!)
    let clock = Clock(today)
    let registry = try Registry(
      eventStore: eventStore, readModel: readModel, authority: authority, policy: policy,
      clock: RegistryClock(now: { clock.now }), logger: logger, readYourWritesWait: .seconds(1))
    let follower = Task { await registry.follower.run() }
    defer { follower.cancel() }
    let seeder = DemoRegistry(registry: registry, today: today, clock: clock)
    try await seeder.seed(certificates: certificates)
    return true
  }

  private func at(_ daysAgo: Int) { clock.day.withLock { $0 = today.adding(days: -daysAgo) } }

  private func key(_ actor: Actor) -> IdempotencyKey {
    requests += 1
    return IdempotencyKey(
      principal: actor.description, requestId: "demo-\(requests)", fingerprint: "demo-\(requests)")
  }

  private let ops = Actor.operator("demo")

  /// The one evidence document every demo filing carries (operators can fetch it).
  static let evidence: StoredEvidence = {
    let content = Data("%PDF-1.4\n% Overdue demo invoice, not a real document\n".utf8)
    let digest = SHA256.hash(data: content).map { String(format: "%02x", $0) }.joined()
    return StoredEvidence(sha256Hex: digest, contentType: "application/pdf", content: content)
  }()

  private func seed(certificates: URL) async throws {
    at(400)
    for seed in Self.members {
      let identifier = try PartyIdentifier.parse(scheme: "GSTIN", value: seed.gstin)
      let member = try await registry.registerMember(
        displayName: seed.name, identifier: identifier, sector: seed.sector, actor: ops,
        key: key(ops))
      memberIds.append(member.id)
      let issued = try await registry.issueCertificate(
        memberId: member.id, csrPEM: nil, actor: ops, key: key(ops))
      try IdentityDirectory(certificates.appendingPathComponent("demo/\(seed.slug)"))
        .write(
          certificatePEM: issued.certificatePEM, privateKeyPEM: issued.privateKeyPEM!,
          caPEM: issued.caCertificatePEM)
    }
    let (sharma, kaveri, deccan) = (0, 1, 2)

    // Active, and a PAN group: the same PAN listed under two GSTINs by two members.
    _ = try await listed(
      "27AAPFU0939F1ZV", "Acme Fabrication LLP", by: sharma, amount: 3_25_000_00, daysAgo: 40)
    _ = try await listed(
      "29AAPFU0939F1ZR", "Acme Fabrication LLP (Bengaluru)", by: kaveri, amount: 88_000_00,
      daysAgo: 35)
    // On a payment plan, current: one of two instalments paid.
    let onPlan = try await listed(
      parties.gstin(), "Narmada Agro Industries", by: deccan, amount: 2_00_000_00, daysAgo: 30)
    at(10)
    try await run(
      .agreePlan([instalment(in: 0, 1_00_000_00), instalment(in: 30, 1_00_000_00)]), onPlan,
      by: deccan)
    at(2)
    try await run(
      .recordPayment(
        Payment(amountMinor: 1_00_000_00, paidOn: today.adding(days: -2), reference: "UTR-DEMO-1")),
      onPlan, by: deccan)
    // A plan breached: the first instalment fell due 20 days ago and was never paid.
    let breached = try await listed(
      parties.gstin(), "Orient Plastics Limited", by: kaveri, amount: 1_50_000_00, daysAgo: 60)
    at(40)
    try await run(
      .agreePlan([instalment(in: 0, 50_000_00), instalment(in: 20, 1_00_000_00)]), breached,
      by: kaveri)
    // Under dispute.
    let disputed = try await listed(
      parties.gstin(), "Malabar Spices & Co", by: sharma, amount: 75_000_00, daysAgo: 25)
    at(5)
    try await run(
      .recordDispute(
        statement: "The goods were short-delivered.", raisedOn: today.adding(days: -5)), disputed,
      by: nil)
    // Settled in full, settled for less, and settled on the party's proof.
    let settled = try await listed(
      parties.gstin(), "Vijay Motors Private Limited", by: kaveri, amount: 60_000_00, daysAgo: 90)
    at(30)
    try await run(
      .confirmSettlement(on: today.adding(days: -30), amountMinor: 0, note: ""), settled, by: kaveri
    )
    let forLess = try await listed(
      parties.gstin(), "Lotus Garments LLP", by: deccan, amount: 1_20_000_00, daysAgo: 80)
    at(20)
    try await run(
      .confirmSettlement(on: today.adding(days: -20), amountMinor: 90_000_00, note: "agreed"),
      forLess, by: deccan)
    let onProof = try await listed(
      parties.gstin(), "Unity Paper Mills", by: sharma, amount: 45_000_00, daysAgo: 70)
    at(15)
    try await run(
      .settleOnPartyProof(on: today.adding(days: -16), amountMinor: 0, note: "bank statement"),
      onProof, by: nil)
    // A repeat defaulter: settled with one member, then listed by another.
    let repeatParty = parties.gstin()
    let first = try await listed(
      repeatParty, "Royal Tiles Limited", by: sharma, amount: 50_000_00, daysAgo: 150)
    at(120)
    try await run(
      .confirmSettlement(on: today.adding(days: -120), amountMinor: 0, note: ""), first, by: sharma)
    _ = try await listed(
      repeatParty, "Royal Tiles Limited", by: deccan, amount: 2_10_000_00, daysAgo: 30,
      invoice: "RT-2")
    // Never shown: voided after a dispute, withdrawn, and pending (notice period not over).
    let voided = try await listed(
      parties.gstin(), "Indus Chemicals Limited", by: kaveri, amount: 99_000_00, daysAgo: 50)
    at(12)
    try await run(
      .recordDispute(statement: "Never ordered.", raisedOn: today.adding(days: -12)), voided,
      by: nil)
    at(3)
    try await run(
      .decideDispute(outcome: .forParty, reason: "No purchase order exists."), voided, by: nil)
    let withdrawn = try await listed(
      parties.gstin(), "Sagar Logistics", by: sharma, amount: 40_000_00, daysAgo: 45)
    try await run(
      .withdraw(reason: .privateAgreement, note: "settled privately"), withdrawn, by: sharma)
    at(0)
    _ = try await filed(
      parties.gstin(), "Pioneer Electricals", by: kaveri, amount: 55_000_00, noticeDaysAgo: 3)
    // And a couple of dozen ordinary active defaults, some owed to two members.
    for index in 0..<24 {
      let gstin = parties.gstin()
      let name = parties.name()
      _ = try await listed(
        gstin, name, by: index % 3, amount: Int64(20_000_00 + index * 7_500_00), daysAgo: 20 + index
      )
      if index % 6 == 0 {
        _ = try await listed(
          gstin, name, by: (index + 1) % 3, amount: 35_000_00, daysAgo: 18, invoice: "B-\(index)")
      }
    }
    at(0)
    try await registry.applyDeadlines()
  }

  private func instalment(in days: Int, _ amount: Int64) -> Instalment {
    Instalment(dueOn: clock.day.withLock { $0 }.adding(days: days), amountMinor: amount)
  }

  /// Files a listing on `daysAgo`'s date (invoice due 100 days earlier, notice 20 days before).
  private func filed(
    _ gstin: String, _ name: String, by member: Int, amount: Int64, noticeDaysAgo: Int,
    invoice: String = "INV-1"
  ) async throws -> String {
    let filingDay = clock.day.withLock { $0 }
    let due = filingDay.adding(days: -(noticeDaysAgo + 100))
    let listingId = "L-DEMO-\(String(format: "%03d", requests))"
    let filing = Filing(
      listingId: listingId, party: try PartyIdentifier.parse(scheme: "GSTIN", value: gstin),
      legalName: name,
      currency: "INR",
      invoices: [
        Invoice(number: invoice, issuedOn: due.adding(days: -30), dueOn: due, amountMinor: amount)
      ],
      noticeServedOn: filingDay.adding(days: -noticeDaysAgo),
      evidence: [
        EvidenceReference(
          sha256Hex: Self.evidence.sha256Hex, description: "invoice.pdf",
          contentType: Self.evidence.contentType,
          sizeBytes: Self.evidence.content.count)
      ])
    try await run(.file(filing), listingId, by: member, evidence: [Self.evidence])
    return listingId
  }

  /// Files a listing and has it verified `daysAgo` days before today.
  private func listed(
    _ gstin: String, _ name: String, by member: Int, amount: Int64, daysAgo: Int,
    invoice: String = "INV-1"
  ) async throws -> String {
    at(daysAgo)
    let listingId = try await filed(
      gstin, name, by: member, amount: amount, noticeDaysAgo: 20, invoice: invoice)
    try await run(.verify, listingId, by: nil)
    return listingId
  }

  /// Runs a command as member `member` (index into `memberIds`) or, for nil, the demo operator.
  private func run(
    _ command: ListingCommand, _ listingId: String, by member: Int?, evidence: [StoredEvidence] = []
  ) async throws {
    let actor = member.map { Actor.member(memberIds[$0]) } ?? ops
    _ = try await registry.run(
      command, listingId: listingId, actor: actor, key: key(actor), evidence: evidence)
  }
}
