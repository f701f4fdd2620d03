import OverdueCore
import PropertyBased
import Testing

@Suite("Extreme amounts (properties)")
struct ExtremeAmountPropertyTests {
  typealias F = Fixtures

  static let currencies = ["INR", "USD", "EUR"]
  static let states: [ListingState] = [.listed, .onPlan, .disputed, .settled]

  /// One listing: original and outstanding amounts anywhere in 1...Int64.max, a currency, a state.
  static let listing = zip(
    Gen.int64(in: 1...Int64.max), Gen.int64(in: 1...Int64.max), Gen.element(of: currencies),
    Gen.element(of: states)
  )
  .map { original, outstanding, currency, state in
    AmountBoundsTests.shown(
      original: original, outstanding: outstanding, currency: currency ?? "INR",
      state: state ?? .listed)
  }

  @Test func summariesNeverTrapAndCoverEveryListing() async {
    await propertyCheck(count: 200, input: Self.listing.array(of: 0...60)) { listings in
      let assessment = PartyAssessment(listings: listings, today: F.today)
      let summary = assessment.summary
      #expect(summary.publicListings == listings.count)
      for listing in listings {
        let original = summary.originalByCurrency[listing.currency] ?? 0
        let outstanding = summary.outstandingByCurrency[listing.currency] ?? 0
        #expect(original >= listing.originalMinor)
        #expect(outstanding >= listing.outstandingMinor)
      }
      #expect(Set(summary.originalByCurrency.keys) == Set(listings.map(\.currency)))
    }
  }
}
