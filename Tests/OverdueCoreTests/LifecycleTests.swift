import OverdueCore
import Testing

@Suite("Listing lifecycle: plans, disputes, deadlines")
struct LifecycleTests {
  typealias F = Fixtures

  var listed: [(ListingCommand, DecisionContext)] {
    [(.file(F.filing()), F.context()), (.verify, F.operatorContext)]
  }

  func plan(_ parts: [(String, Int64)]) -> ListingCommand {
    .agreePlan(parts.map { Instalment(dueOn: CalendarDate($0.0)!, amountMinor: $0.1) })
  }

  func pay(_ amount: Int64, on date: CalendarDate = F.today) -> (ListingCommand, DecisionContext) {
    (.recordPayment(Payment(amountMinor: amount, paidOn: date, reference: "")), F.context())
  }

  var scheduler: DecisionContext { F.context(.scheduler, member: nil) }

  func deadlines(on listing: Listing?, after days: Int) throws -> [ListingEvent] {
    try ListingDecider.decide(
      .applyDeadlines, on: listing,
      context: F.context(.scheduler, member: nil, today: F.today.adding(days: days)))
  }

  let twoInstalments = [("2026-12-01", Int64(100_000_00)), ("2027-01-01", Int64(150_000_00))]

  @Test func aPlanShowsProgressAndPaymentsMatchInstalments() throws {
    let onPlan = try #require(
      try F.run(listed + [(plan(twoInstalments), F.context()), pay(100_000_00)]))
    #expect(onPlan.state == .onPlan)
    let shown = try #require(PublicListing(onPlan))
    #expect(shown.planInstalments == 2)
    #expect(shown.planInstalmentsPaid == 1)
    #expect(shown.planNextDueOn == CalendarDate("2027-01-01"))
    #expect(PartyAssessment(listings: [shown], today: F.today).status == .onPlan)
    let settled = try #require(
      try F.run(listed + [(plan(twoInstalments), F.context()), pay(250_000_00)]))
    #expect(settled.state == .settled)
  }

  @Test(
    "plan refusals",
    arguments: [
      ([("2026-12-01", Int64(100_000_00))], "PLAN_TOTAL_MISMATCH"),
      (
        [("2027-01-01", Int64(100_000_00)), ("2026-12-01", Int64(150_000_00))],
        "INSTALMENTS_OUT_OF_ORDER"
      ),
      ([("2026-11-01", Int64(250_000_00))], "DATE_IN_PAST"),
      ([("2026-12-01", Int64(0)), ("2027-01-01", Int64(250_000_00))], "NON_POSITIVE_AMOUNT"),
      ([], "NO_INSTALMENTS"),
    ])
  func planRefusals(_ parts: [(String, Int64)], _ expected: String) {
    #expect(F.reason { try F.run(listed + [(plan(parts), F.context())]) } == expected)
  }

  @Test func anUnpaidInstalmentBreachesThePlanAfterTheGraceDays() throws {
    let onPlan = try F.run(listed + [(plan(twoInstalments), F.context())])
    // Due 2026-12-01, grace 7 days: still current on 2026-12-08, breached on 2026-12-09.
    #expect(try deadlines(on: onPlan, after: 15).isEmpty)
    let events = try deadlines(on: onPlan, after: 16)
    #expect(events == [.planBreached(on: F.today.adding(days: 16), instalment: 0)])
    let breached = try #require(events.reduce(onPlan) { Listing.apply($1, to: $0, sequence: 9) })
    #expect(breached.state == .listed)
    let assessment = PartyAssessment(
      listings: [try #require(PublicListing(breached))], today: F.today)
    #expect(assessment.riskBand == "D")
    #expect(assessment.riskReasons.map(\.code).contains("PLAN_BREACHED"))
  }

  @Test func aDisputeSuspendsImpactAndADismissalRestoresIt() throws {
    let disputed = try #require(
      try F.run(
        listed + [(.recordDispute(statement: "goods faulty", raisedOn: F.today), F.operatorContext)]
      ))
    let shown = try #require(PublicListing(disputed))
    #expect(shown.underDispute)
    #expect(!shown.impactActive)
    #expect(PartyAssessment(listings: [shown], today: F.today).status == .disputed)
    #expect(
      F.reason { try ListingDecider.decide(self.pay(1).0, on: disputed, context: F.context()) }
        == "WRONG_STATE")
    #expect(
      F.reason {
        try ListingDecider.decide(
          .withdraw(reason: .filedInError, note: ""), on: disputed, context: F.context())
      } == "WRONG_STATE")

    let dismissed = try #require(
      try F.run(
        listed + [
          (.recordDispute(statement: "goods faulty", raisedOn: F.today), F.operatorContext),
          (.decideDispute(outcome: .forMember, reason: "delivery proven"), F.operatorContext),
        ]))
    #expect(dismissed.state == .listed)
    #expect(PublicListing(dismissed)?.disputes.first?.outcome == .forMember)
  }

  @Test func aDisputeUpheldVoidsTheListing() throws {
    let voided = try #require(
      try F.run(
        listed + [
          (.recordDispute(statement: "never ordered", raisedOn: F.today), F.operatorContext),
          (.decideDispute(outcome: .forParty, reason: "no contract"), F.operatorContext),
        ]))
    #expect(voided.state == .voided)
    #expect(PublicListing(voided) == nil)
  }

  @Test func aPendingListingUnderDisputeStaysPrivateAndCannotBeVerified() throws {
    let disputed = try F.run([
      (.file(F.filing()), F.context()),
      (.recordDispute(statement: "not owed", raisedOn: F.today), F.operatorContext),
    ])
    #expect(disputed.flatMap(PublicListing.init) == nil)
    #expect(
      F.reason { try ListingDecider.decide(.verify, on: disputed, context: F.operatorContext) }
        == "WRONG_STATE")
  }

  @Test func settledHistoryCanBeDisputed() throws {
    let disputed = try F.run(
      listed + [
        (.confirmSettlement(on: F.today, amountMinor: 0, note: ""), F.context()),
        (
          .recordDispute(statement: "paid earlier than shown", raisedOn: F.today), F.operatorContext
        ),
        (.decideDispute(outcome: .forMember, reason: "dates correct"), F.operatorContext),
      ])
    #expect(disputed?.state == .settled)
  }

  @Test func planDeadlinesPauseDuringADisputeAndGetAFreshGracePeriod() throws {
    // Instalment due 2026-12-01 (deadline 2026-12-08); disputed 2026-11-30, dismissed 2027-01-10.
    var listing = try F.run(listed + [(plan(twoInstalments), F.context())])
    let disputeDay = CalendarDate("2026-11-30")!
    for event in try ListingDecider.decide(
      .recordDispute(statement: "amount wrong", raisedOn: disputeDay), on: listing,
      context: F.context(.operator("ops"), member: nil, today: disputeDay))
    {
      listing = Listing.apply(event, to: listing, sequence: 10)
    }
    #expect(try deadlines(on: listing, after: 30).isEmpty)  // nothing while disputed
    let decisionDay = CalendarDate("2027-01-10")!
    for event in try ListingDecider.decide(
      .decideDispute(outcome: .forMember, reason: "amount right"), on: listing,
      context: F.context(.operator("ops"), member: nil, today: decisionDay))
    {
      listing = Listing.apply(event, to: listing, sequence: 11)
    }
    #expect(listing?.state == .onPlan)
    let afterDecision = F.today.days(until: decisionDay)
    #expect(try deadlines(on: listing, after: afterDecision + 7).isEmpty)
    #expect(try deadlines(on: listing, after: afterDecision + 8).count == 1)
  }

  @Test func settledHistoryLeavesThePublicViewAfterTheRetentionPeriod() throws {
    let settled = try F.run(
      listed + [(.confirmSettlement(on: F.today, amountMinor: 0, note: ""), F.context())])
    let fiveYears = F.today.days(until: F.today.adding(years: 5))
    #expect(try deadlines(on: settled, after: fiveYears - 1).isEmpty)
    let events = try deadlines(on: settled, after: fiveYears)
    #expect(
      events == [
        .removedFromPublicView(on: F.today.adding(years: 5), reason: .historyRetentionEnded)
      ])
    let removed = events.reduce(settled) { Listing.apply($1, to: $0, sequence: 12) }
    #expect(removed.flatMap(PublicListing.init) == nil)
  }

  @Test func unsettledListingsLeaveThePublicViewAtTheMaximumAge() throws {
    let listing = try F.run(listed)
    let sixYears = F.today.days(until: F.today.adding(years: 6))
    #expect(try deadlines(on: listing, after: sixYears - 1).isEmpty)
    #expect(
      try deadlines(on: listing, after: sixYears) == [
        .removedFromPublicView(on: F.today.adding(years: 6), reason: .maximumListingAgeReached)
      ])
  }

  @Test func onlyTheSchedulerAppliesDeadlines() throws {
    let listing = try F.run(listed)
    #expect(
      F.reason { try ListingDecider.decide(.applyDeadlines, on: listing, context: F.context()) }
        == "SCHEDULER_ONLY")
    #expect(
      F.reason { try ListingDecider.decide(.verify, on: listing, context: self.scheduler) }
        == "OPERATORS_ONLY")
  }

  @Test func settleOnThePartysProof() throws {
    let settled = try F.run(
      listed + [
        (
          .settleOnPartyProof(on: F.today, amountMinor: 0, note: "bank statement"),
          F.operatorContext
        )
      ])
    #expect(settled?.state == .settled)
    #expect(settled?.settlement?.confirmedBy == "operator:ops")
  }
}
