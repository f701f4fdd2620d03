import Foundation
import OverdueCore
import OverdueStore
import PropertyBased
import Testing

/// Random command sequences against the pure rules, folded into a real event store and read model.
@Suite("Lifecycle properties")
struct LifecyclePropertyTests {
  static let start = CalendarDate("2026-11-23")!
  static let party = PartyIdentifier(unchecked: .gstin, "27AAPFU0939F1ZV")
  static let member = Member(
    id: "M-A", displayName: "Sharma Steel",
    identifier: PartyIdentifier(unchecked: .gstin, "24AAACC1206D1ZM"),
    sector: "Steel")
  /// Text that must never reach a public answer.
  static let secrets = ["INV-SECRET", "REF-SECRET", "NOTE-SECRET", "STATEMENT-SECRET"]

  /// One step of a random scenario: a command, who sends it, and how many days pass first.
  static func step(_ code: Int, listing: Listing?, today: CalendarDate) -> (
    ListingCommand, Actor, Int
  ) {
    let outstanding = max(listing?.outstandingMinor ?? 0, 1)
    let member = Actor.member("M-A")
    let ops = Actor.operator("ops")
    switch code % 14 {
    case 0: return (.verify, ops, 0)
    case 1: return (.reject(reason: "no proof"), ops, 0)
    case 2:
      let amount = Int64(code / 14 + 1) * 1_000_00 % outstanding + 1
      return (
        .recordPayment(Payment(amountMinor: amount, paidOn: today, reference: "REF-SECRET")),
        member, 0
      )
    case 3:
      return (
        .recordPayment(Payment(amountMinor: outstanding, paidOn: today, reference: "REF-SECRET")),
        member, 0
      )
    case 4: return (.confirmSettlement(on: today, amountMinor: 0, note: "NOTE-SECRET"), member, 0)
    case 5:
      return (
        .confirmSettlement(on: today, amountMinor: outstanding / 2 + 1, note: "NOTE-SECRET"),
        member, 0
      )
    case 6: return (.withdraw(reason: .privateAgreement, note: "NOTE-SECRET"), member, 0)
    case 7:
      let first = outstanding / 2
      return (
        .agreePlan(
          [
            Instalment(dueOn: today.adding(days: 30), amountMinor: first),
            Instalment(dueOn: today.adding(days: 60), amountMinor: outstanding - first),
          ].filter { $0.amountMinor > 0 }), member, 0
      )
    case 8: return (.recordDispute(statement: "STATEMENT-SECRET", raisedOn: today), ops, 0)
    case 9: return (.decideDispute(outcome: .forMember, reason: "stands"), ops, 0)
    case 10: return (.decideDispute(outcome: .forParty, reason: "void"), ops, 0)
    case 11: return (.applyDeadlines, .scheduler, (code / 14 % 10 + 1) * 30)
    case 12: return (.settleOnPartyProof(on: today, amountMinor: 0, note: "NOTE-SECRET"), ops, 0)
    default: return (.applyDeadlines, .scheduler, 365 * (code / 14 % 7 + 1))
    }
  }

  static func filing() -> Filing {
    Filing(
      listingId: "L-1", party: party, legalName: "Acme Fabrication LLP", currency: "INR",
      invoices: [
        Invoice(
          number: "INV-SECRET", issuedOn: CalendarDate("2026-06-01")!,
          dueOn: CalendarDate("2026-07-01")!,
          amountMinor: 250_000_00)
      ],
      noticeServedOn: CalendarDate("2026-11-01")!,
      evidence: [
        EvidenceReference(
          sha256Hex: "ab", description: "d", contentType: "application/pdf", sizeBytes: 1)
      ])
  }

  @Test func invariantsHoldForRandomCommandSequences() async throws {
    await propertyCheck(count: 60, input: Gen.int(in: 0...2_000).array(of: 1...30)) { codes in
      do {
        try check(codes)
      } catch {
        Issue.record("\(codes): \(error)")
      }
    }
  }

  /// The scheduler looks only at listings whose next deadline has come, so that day must be
  /// exact: nothing to do the day before, something to do on it, nothing ever when there is none.
  func expectNextDeadlineIsExact(_ listing: Listing) throws {
    func due(on day: CalendarDate) throws -> Bool {
      let context = DecisionContext(actor: .scheduler, today: day, policy: .defaults)
      return !(try ListingDecider.decide(.applyDeadlines, on: listing, context: context)).isEmpty
    }
    if let next = ListingDecider.nextDeadline(listing, policy: .defaults) {
      #expect(try !due(on: next.adding(days: -1)))
      #expect(try due(on: next))
    } else {
      #expect(try !due(on: Self.start.adding(years: 30)))
    }
  }

  func check(_ codes: [Int]) throws {
    let stores = try Stores()
    var today = Self.start
    var listing: Listing?
    var requests = 0
    func run(_ command: ListingCommand, as actor: Actor) throws {
      let context = DecisionContext(
        actor: actor, today: today, policy: .defaults,
        member: actor == .member("M-A") ? Self.member : nil)
      guard let events = try? ListingDecider.decide(command, on: listing, context: context),
        !events.isEmpty
      else {
        return
      }
      requests += 1
      let sequence = try stores.append(
        events.map { .listing(id: "L-1", $0) }, requestId: "r\(requests)")
      listing = events.reduce(listing) { Listing.apply($1, to: $0, sequence: sequence) }
    }
    _ = try stores.append([.member(id: "M-A", .registered(Self.member))], requestId: "member")
    try run(.file(Self.filing()), as: .member("M-A"))
    for code in codes {
      let (command, actor, days) = Self.step(code, listing: listing, today: today)
      today = today.adding(days: days)
      try run(command, as: actor)
      if code % 3 == 0 { try stores.projector.catchUp() }
      let current = try #require(listing)
      #expect(current.outstandingMinor >= 0)
      let shown = PublicListing(current)
      if current.state == .settled {
        #expect(current.outstandingMinor == 0)
        #expect(shown?.impactActive != true)
      }
      if [.pending, .withdrawn, .rejected, .voided].contains(current.state) {
        #expect(shown == nil)
      }
      if current.state == .disputed { #expect(shown?.impactActive != true) }
      try expectNextDeadlineIsExact(current)
    }
    try stores.projector.catchUp()
    let record = try stores.readModel.party(Self.party)
    #expect(record.listings == [listing.flatMap(PublicListing.init)].compactMap { $0 })
    let publicText = String(decoding: try JSONEncoder().encode(record.listings), as: UTF8.self)
    for secret in Self.secrets { #expect(!publicText.contains(secret)) }
    let projected = try stores.readModel.dump()
    try stores.projector.rebuild()
    #expect(try stores.readModel.dump() == projected)
  }
}
