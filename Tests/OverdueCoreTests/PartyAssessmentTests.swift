import OverdueCore
import Testing

@Suite("Party assessment")
struct PartyAssessmentTests {
  typealias F = Fixtures

  func publicListing(_ steps: [(ListingCommand, DecisionContext)]) throws -> PublicListing {
    let listing = try #require(try F.run(steps))
    return try #require(PublicListing(listing))
  }

  var listed: [(ListingCommand, DecisionContext)] {
    [(.file(F.filing()), F.context()), (.verify, F.operatorContext)]
  }

  @Test func clearPartyHasNoBand() {
    let assessment = PartyAssessment(listings: [], today: F.today)
    #expect(assessment.status == .clear)
    #expect(assessment.riskBand == nil)
    #expect(assessment.riskReasons.isEmpty)
  }

  @Test func activeListing() throws {
    let assessment = PartyAssessment(listings: [try publicListing(listed)], today: F.today)
    #expect(assessment.status == .active)
    #expect(assessment.riskBand == "C")
    #expect(assessment.summary.openListings == 1)
    #expect(assessment.summary.outstandingByCurrency == ["INR": 250_000_00])
    #expect(assessment.summary.maxDaysPastDue == 145)
  }

  @Test func longOverdueAndSeveralMembersRaiseTheBand() throws {
    var old = try publicListing(listed)
    old.oldestDueOn = F.today.adding(days: -200)
    var second = old
    second.memberId = "M-B"
    let assessment = PartyAssessment(listings: [old, second], today: F.today)
    #expect(assessment.riskBand == "D")
    #expect(
      Set(assessment.riskReasons.map(\.code)) == [
        "ACTIVE_DEFAULT", "LONG_OVERDUE", "SEVERAL_MEMBERS",
      ])
  }

  @Test func settledHistoryIsResolvedAndBandA() throws {
    let settled = try publicListing(
      listed + [(.confirmSettlement(on: F.today, amountMinor: 0, note: ""), F.context())])
    let assessment = PartyAssessment(listings: [settled], today: F.today)
    #expect(assessment.status == .resolved)
    #expect(assessment.riskBand == "A")
    #expect(assessment.summary.settledInFull == 1)
    #expect(assessment.summary.averageDaysToSettle == 145)
  }

  @Test func aNewDefaultAfterASettlementIsARepeatDefault() throws {
    var settled = try publicListing(
      listed + [(.confirmSettlement(on: F.today, amountMinor: 0, note: ""), F.context())])
    settled.settledOn = F.today.adding(days: -10)
    let fresh = try publicListing(listed)
    let assessment = PartyAssessment(listings: [settled, fresh], today: F.today)
    #expect(assessment.repeatDefaulter)
    #expect(assessment.status == .active)
    #expect(assessment.riskBand == "E")
  }
}
