import OverdueCore
import Testing

/// One command and the context it is decided in.
typealias Step = (ListingCommand, DecisionContext)

/// Commands of SPEC section 3's table, decided by the real decider.
enum Steps {
  typealias F = Fixtures

  static let file: Step = (.file(F.filing()), F.context())
  static let amend: Step = (.amend(Amendment(legalName: "Acme Fabricators LLP")), F.context())
  static let verify: Step = (.verify, F.operatorContext)
  static let reject: Step = (.reject(reason: "no proof of delivery"), F.operatorContext)
  static let withdraw: Step = (.withdraw(reason: .filedInError, note: "wrong buyer"), F.context())
  static let dispute: Step = (
    .recordDispute(statement: "goods were faulty", raisedOn: F.today), F.operatorContext
  )
  static let settleOnProof: Step = (
    .settleOnPartyProof(on: F.today, amountMinor: 0, note: "bank statement"), F.operatorContext
  )
  static let listed = [file, verify]
  static let twoInstalments = plan(
    ("2026-12-01", 100_000_00), ("2027-01-01", 150_000_00))
  static let onPlan = listed + [twoInstalments]
  static let settled = listed + [confirm(0)]

  static func plan(_ parts: (String, Int64)...) -> Step {
    (
      .agreePlan(parts.map { Instalment(dueOn: CalendarDate($0.0)!, amountMinor: $0.1) }),
      F.context()
    )
  }

  static func pay(_ amount: Int64) -> Step {
    (.recordPayment(Payment(amountMinor: amount, paidOn: F.today, reference: "UTR-1")), F.context())
  }

  /// 0 settles the whole outstanding amount; less is an agreed lesser amount.
  static func confirm(_ amount: Int64) -> Step {
    (.confirmSettlement(on: F.today, amountMinor: amount, note: "settled"), F.context())
  }

  static func decide(_ outcome: DisputeOutcome) -> Step {
    (.decideDispute(outcome: outcome, reason: "decided on the papers"), F.operatorContext)
  }

  /// The scheduler applying deadlines on `day`.
  static func deadlines(on day: CalendarDate) -> Step {
    (.applyDeadlines, F.context(.scheduler, member: nil, today: day))
  }
}

/// A listing folded event by event, with the public changes its events made.
struct Trace {
  var listing: Listing?
  var sequence: UInt64 = 0
  var changes: [PublicChange] = []

  /// Decides and applies `steps`, recording the changes of their events only.
  func running(_ steps: [Step]) throws -> Trace {
    var trace = Trace(listing: listing, sequence: sequence)
    for (command, context) in steps {
      for event in try ListingDecider.decide(command, on: trace.listing, context: context) {
        trace.sequence += 1
        let after = Listing.apply(event, to: trace.listing, sequence: trace.sequence)
        if let change = PublicChange(
          event, sequence: trace.sequence, before: trace.listing, after: after)
        {
          trace.changes.append(change)
        }
        trace.listing = after
      }
    }
    return trace
  }
}

/// One row of SPEC section 3's table, from a listing in the row's `from` state.
enum Transition: String, CaseIterable, Sendable {
  case fileIsPrivate
  case amendPendingIsPrivate
  case verify
  case rejectPendingIsPrivate
  case withdrawPendingIsPrivate
  case withdrawListed
  case agreePlan
  case breachPlan
  case amendPlan
  case disputePendingIsPrivate
  case disputeListed
  case disputeOnPlan
  case disputeSettled
  case decideForMemberOnListed
  case decideForMemberOnPlan
  case decideForMemberOnSettled
  case decideForMemberOnPendingIsPrivate
  case decideForPartyOnListed
  case decideForPartyOnPendingIsPrivate
  case payListed
  case payOnPlan
  case payListedInFull
  case payOnPlanInFull
  case confirmListed
  case confirmOnPlan
  case confirmLesserAmount
  case settleOnProofListed
  case settleOnProofOnPlan
  case settledHistoryEnds
  case listedReachesMaximumAge
  case onPlanReachesMaximumAge

  typealias S = Steps

  var setup: [Step] {
    switch self {
    case .fileIsPrivate: return []
    case .amendPendingIsPrivate, .verify, .rejectPendingIsPrivate, .withdrawPendingIsPrivate,
      .disputePendingIsPrivate:
      return [S.file]
    case .decideForMemberOnPendingIsPrivate, .decideForPartyOnPendingIsPrivate:
      return [S.file, S.dispute]
    case .withdrawListed, .agreePlan, .disputeListed, .payListed, .payListedInFull, .confirmListed,
      .confirmLesserAmount, .settleOnProofListed, .listedReachesMaximumAge:
      return S.listed
    case .breachPlan, .amendPlan, .disputeOnPlan, .payOnPlan, .payOnPlanInFull, .confirmOnPlan,
      .settleOnProofOnPlan:
      return S.onPlan
    case .onPlanReachesMaximumAge:
      // A plan ending after the listing's maximum age, so no breach comes first.
      return S.listed + [S.plan(("2033-06-01", 250_000_00))]
    case .disputeSettled, .settledHistoryEnds: return S.settled
    case .decideForMemberOnListed, .decideForPartyOnListed: return S.listed + [S.dispute]
    case .decideForMemberOnPlan: return S.onPlan + [S.dispute]
    case .decideForMemberOnSettled: return S.settled + [S.dispute]
    }
  }

  var steps: [Step] {
    switch self {
    case .fileIsPrivate: return [S.file]
    case .amendPendingIsPrivate: return [S.amend]
    case .verify: return [S.verify]
    case .rejectPendingIsPrivate: return [S.reject]
    case .withdrawPendingIsPrivate, .withdrawListed: return [S.withdraw]
    case .agreePlan: return [S.twoInstalments]
    // Due 2026-12-01 with 7 grace days: breached on 2026-12-09.
    case .breachPlan: return [S.deadlines(on: CalendarDate("2026-12-09")!)]
    case .amendPlan: return [S.plan(("2027-03-01", 250_000_00))]
    case .disputePendingIsPrivate, .disputeListed, .disputeOnPlan, .disputeSettled:
      return [S.dispute]
    case .decideForMemberOnListed, .decideForMemberOnPlan, .decideForMemberOnSettled,
      .decideForMemberOnPendingIsPrivate:
      return [S.decide(.forMember)]
    case .decideForPartyOnListed, .decideForPartyOnPendingIsPrivate: return [S.decide(.forParty)]
    case .payListed, .payOnPlan: return [S.pay(100_000_00)]
    case .payListedInFull, .payOnPlanInFull: return [S.pay(250_000_00)]
    case .confirmListed, .confirmOnPlan: return [S.confirm(0)]
    case .confirmLesserAmount: return [S.confirm(200_000_00)]
    case .settleOnProofListed, .settleOnProofOnPlan: return [S.settleOnProof]
    case .settledHistoryEnds: return [S.deadlines(on: Fixtures.today.adding(years: 5))]
    case .listedReachesMaximumAge, .onPlanReachesMaximumAge:
      return [S.deadlines(on: Fixtures.today.adding(years: 6))]
    }
  }

  var expected: [ChangeKind] {
    switch self {
    case .fileIsPrivate, .amendPendingIsPrivate, .rejectPendingIsPrivate,
      .withdrawPendingIsPrivate, .disputePendingIsPrivate, .decideForMemberOnPendingIsPrivate,
      .decideForPartyOnPendingIsPrivate:
      return []
    case .verify: return [.listed]
    case .withdrawListed, .decideForPartyOnListed, .settledHistoryEnds, .listedReachesMaximumAge,
      .onPlanReachesMaximumAge:
      return [.removed]
    case .agreePlan, .amendPlan: return [.onPlan]
    case .breachPlan: return [.planBreached]
    case .disputeListed, .disputeOnPlan, .disputeSettled: return [.disputed]
    case .decideForMemberOnListed, .decideForMemberOnPlan, .decideForMemberOnSettled:
      return [.disputeDecided]
    case .payListed, .payOnPlan: return [.paymentRecorded]
    case .payListedInFull, .payOnPlanInFull, .confirmListed, .confirmOnPlan, .confirmLesserAmount,
      .settleOnProofListed, .settleOnProofOnPlan:
      return [.settled]
    }
  }
}

@Suite("Public changes: what a watcher sees of a listing's life")
struct PublicChangeTests {
  typealias F = Fixtures
  typealias S = Steps

  func trace(_ steps: [Step], after setup: [Step] = []) throws -> Trace {
    try Trace().running(setup).running(steps)
  }

  @Test(arguments: Transition.allCases)
  func eachTransitionShowsAsItsChange(_ transition: Transition) throws {
    let trace = try trace(transition.steps, after: transition.setup)
    #expect(trace.changes.map(\.kind) == transition.expected)
    for change in trace.changes {
      #expect(change.listingId == "L-1")
      #expect(change.filedUnder == F.party)
      #expect(change.pan == F.party.linkedPAN)
      #expect((change.listing == nil) == (change.kind == .removed))
    }
  }

  @Test func aPendingListingsWholeLifeShowsNothing() throws {
    let lives: [[Step]] = [
      [S.file, S.amend, S.reject],
      [S.file, S.amend, S.withdraw],
      [S.file, S.dispute, S.decide(.forMember), S.dispute, S.decide(.forParty)],
    ]
    for life in lives {
      #expect(try trace(life).changes.isEmpty)
    }
  }

  @Test func aWithdrawnListingIsRemovedWithNothingElse() throws {
    let withdrawn = try #require(try trace([S.withdraw], after: S.listed).changes.only)
    #expect(withdrawn.kind == .removed)
    #expect(withdrawn.sequence == 3)
    #expect(withdrawn.listing == nil)
    // Withdrawn, voided or expired: the same change, so the reason cannot be told from it.
    let voided = try #require(
      try trace([S.dispute, S.decide(.forParty)], after: S.listed).changes.last)
    let expired = try #require(
      try trace([S.deadlines(on: F.today.adding(years: 6))], after: S.listed).changes.only)
    for other in [voided, expired] {
      var same = other
      same.sequence = withdrawn.sequence
      #expect(same == withdrawn)
    }
  }

  @Test func aPaymentThatExactlySettlesIsOneSettledChange() throws {
    let trace = try trace([S.pay(250_000_00)], after: S.listed)
    // The decider logs the payment (3) and the settlement it causes (4) in one transaction.
    #expect(trace.sequence == 4)
    let change = try #require(trace.changes.only)
    #expect(change.kind == .settled)
    #expect(change.sequence == 4)
    #expect(change.listing?.state == .settled)
    #expect(change.listing?.outstandingMinor == 0)
    #expect(change.listing?.settledInFull == true)
  }

  @Test func paymentsShortOfTheOutstandingAmountAreRecordedAndTheLastOneSettles() throws {
    let trace = try trace([S.pay(249_999_99), S.pay(1)], after: S.listed)
    #expect(trace.changes.map(\.kind) == [.paymentRecorded, .settled])
    #expect(trace.changes.map(\.sequence) == [3, 5])
    #expect(trace.changes.first?.listing?.outstandingMinor == 1)
  }

  @Test func aDisputeDecidedForTheMemberRestoresTheEarlierPublicFace() throws {
    let trace = try trace([S.dispute, S.decide(.forMember)], after: S.onPlan)
    #expect(trace.changes.map(\.kind) == [.disputed, .disputeDecided])
    #expect(trace.changes.map { $0.listing?.state } == [.disputed, .onPlan])
    #expect(trace.changes.last?.listing?.disputes.last?.outcome == .forMember)
  }

  @Test func theSameFaceOnBothSidesIsNoChange() throws {
    let face = try #require(try trace(S.listed).listing.flatMap(PublicListing.init))
    let events: [ListingEvent] = [
      .paymentRecorded(Payment(amountMinor: 1, paidOn: F.today, reference: "")),
      .disputeRecorded(
        Dispute(raisedOn: F.today, statement: "x", previousState: .listed), by: "operator:ops"),
      .verified(on: F.today, by: "operator:ops"),
    ]
    for event in events {
      #expect(ChangeKind(from: face, to: face, by: event) == nil)
      #expect(ChangeKind(from: nil, to: nil, by: event) == nil)
    }
  }

  @Test func theStatusAfterAChangeComesFromThePartysOtherPublicListingsAndTheNewFace() throws {
    var second = F.filing(invoices: [F.invoice("INV-2")])
    second.listingId = "L-2"
    let other = try #require(
      try trace([(.file(second), F.context()), S.verify]).listing.flatMap(PublicListing.init))
    let first = try trace(S.listed)
    let firstFace = try #require(first.listing.flatMap(PublicListing.init))

    let settling = try #require(try first.running([S.confirm(0)]).changes.only)
    #expect(PartyAssessment.status(of: [firstFace, other], after: settling) == .active)
    #expect(PartyAssessment.status(of: [firstFace], after: settling) == .resolved)

    let planned = try #require(try first.running([S.twoInstalments]).changes.only)
    #expect(PartyAssessment.status(of: [firstFace], after: planned) == .onPlan)

    let disputed = try #require(try first.running([S.dispute]).changes.only)
    #expect(PartyAssessment.status(of: [firstFace], after: disputed) == .disputed)

    let removed = try #require(try first.running([S.withdraw]).changes.only)
    #expect(PartyAssessment.status(of: [firstFace], after: removed) == .clear)
    #expect(PartyAssessment.status(of: [firstFace, other], after: removed) == .active)

    // A listing that was not among the party's public listings (just verified) joins them.
    let verified = try #require(try trace([S.verify], after: [S.file]).changes.only)
    #expect(PartyAssessment.status(of: [], after: verified) == .active)
  }

  @Test func kindsAreNamedAsTheWireNamesThem() {
    #expect(
      ChangeKind.allCases.map { "CHANGE_KIND_\($0.rawValue)" } == [
        "CHANGE_KIND_LISTED", "CHANGE_KIND_DISPUTED", "CHANGE_KIND_DISPUTE_DECIDED",
        "CHANGE_KIND_ON_PLAN", "CHANGE_KIND_PLAN_BREACHED", "CHANGE_KIND_PAYMENT_RECORDED",
        "CHANGE_KIND_SETTLED", "CHANGE_KIND_REMOVED",
      ])
  }
}

extension Array {
  /// The one element, or nil when there are none or several.
  fileprivate var only: Element? { count == 1 ? first : nil }
}
