import Foundation
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
    // Rows projected before the log sequences were kept: the dates decide.
    settled.settledSequence = nil
    var fresh = try publicListing(listed)
    fresh.listedSequence = nil
    let assessment = PartyAssessment(listings: [settled, fresh], today: F.today)
    #expect(assessment.repeatDefaulter)
    #expect(assessment.status == .active)
    #expect(assessment.riskBand == "E")
  }
}

@Suite("Repeat defaulter by log order")
struct RepeatDefaulterOrderTests {
  typealias F = Fixtures

  func publicListing(_ steps: [(ListingCommand, DecisionContext)]) throws -> PublicListing {
    let listing = try #require(try F.run(steps))
    return try #require(PublicListing(listing))
  }

  /// Listing A settled and listing B verified on the same day, with A's settlement logged
  /// before or after B's verification.
  func sameDay(settlementFirst: Bool) throws -> PartyAssessment {
    let fileAndVerify: [(ListingCommand, DecisionContext)] = [
      (.file(F.filing()), F.context()), (.verify, F.operatorContext),
    ]
    let settle: [(ListingCommand, DecisionContext)] = [
      (.confirmSettlement(on: F.today, amountMinor: 0, note: ""), F.context())
    ]
    let a: Listing
    let b: Listing
    if settlementFirst {
      a = try #require(try F.run(fileAndVerify + settle))
      b = try #require(try F.run(fileAndVerify, after: a.sequence))
    } else {
      let listedA = try #require(try F.run(fileAndVerify))
      b = try #require(try F.run(fileAndVerify, after: listedA.sequence))
      a = try #require(try F.run(settle, from: listedA, after: b.sequence))
    }
    #expect(a.settlement?.settledOn == F.today)
    #expect(b.listedOn == F.today)
    return PartyAssessment(listings: [a, b].compactMap(PublicListing.init), today: F.today)
  }

  @Test func aReListingLoggedAfterASameDaySettlementIsARepeatDefault() throws {
    let assessment = try sameDay(settlementFirst: true)
    #expect(assessment.repeatDefaulter)
    #expect(assessment.riskBand == "E")
  }

  @Test func aListingVerifiedBeforeASameDaySettlementIsNot() throws {
    let assessment = try sameDay(settlementFirst: false)
    #expect(!assessment.repeatDefaulter)
    #expect(assessment.status == .active)
  }

  @Test func theSequencesComeFromTheLog() throws {
    let listing = try #require(
      try F.run(
        [
          (.file(F.filing()), F.context()), (.verify, F.operatorContext),
          (
            .recordPayment(Payment(amountMinor: 250_000_00, paidOn: F.today, reference: "")),
            F.context()
          ),
        ], after: 40))
    #expect(listing.listedSequence == 42)
    #expect(listing.settledSequence == 44)
    let shown = PublicListing(listing)
    #expect(shown?.listedSequence == 42)
    #expect(shown?.settledSequence == 44)
  }

  @Test func rowsWrittenBeforeTheSequencesDecodeWithoutThem() throws {
    var shown = try publicListing([(.file(F.filing()), F.context()), (.verify, F.operatorContext)])
    shown.listedSequence = nil
    let json = try JSONEncoder().encode(shown)
    #expect(!String(decoding: json, as: UTF8.self).contains("Sequence"))
    #expect(try JSONDecoder().decode(PublicListing.self, from: json) == shown)
  }
}
