import OverdueCore
import Testing

@Suite("Amount bounds and sums that never trap")
struct AmountBoundsTests {
  typealias F = Fixtures

  static let inrMaximum = FilingPolicy.defaults.maximumMinor(for: "INR")
  static let listed = try! F.run([(.file(F.filing()), F.context()), (.verify, F.operatorContext)])!

  @Test func theMaximaPerCurrency() {
    let policy = FilingPolicy.defaults
    #expect(policy.maximumMinor(for: "INR") == 1_000_000_000_000_000)
    #expect(policy.maximumMinor(for: "USD") == 10_000_000_000_000)
    #expect(policy.maximumMinor(for: "GBP") == 10_000_000_000_000)
    var withYen = policy
    withYen.minimumMinorByCurrency["JPY"] = 10_000
    #expect(withYen.maximumMinor(for: "JPY") == 1_000_000_000_000_000)
  }

  func expectTooLarge(
    _ command: ListingCommand, on listing: Listing?, context: DecisionContext = F.context(),
    field: String
  ) {
    let error = F.refusal { try ListingDecider.decide(command, on: listing, context: context) }
    #expect(error?.reason == "AMOUNT_TOO_LARGE")
    #expect(error?.field == field)
  }

  @Test func filingAmountsAreCapped() {
    expectTooLarge(
      .file(F.filing(invoices: [F.invoice("A"), F.invoice("B", amount: Self.inrMaximum + 1)])),
      on: nil, field: "invoices[1].amount_minor")
    expectTooLarge(
      .file(F.filing(invoices: [F.invoice("A", amount: .max)])), on: nil,
      field: "invoices[0].amount_minor")
    let half = Self.inrMaximum / 2 + 1
    expectTooLarge(
      .file(F.filing(invoices: [F.invoice("A", amount: half), F.invoice("B", amount: half)])),
      on: nil, field: "invoices")
    #expect(
      F.refusal {
        try ListingDecider.decide(
          .file(F.filing(invoices: [F.invoice("A", amount: Self.inrMaximum)])), on: nil,
          context: F.context())
      } == nil)
    expectTooLarge(
      .file(F.filing(invoices: [F.invoice(amount: 10_000_000_000_001)], currency: "USD")),
      on: nil, field: "invoices[0].amount_minor")
  }

  @Test func paymentsSettlementsAndInstalmentsAreCapped() {
    expectTooLarge(
      .recordPayment(Payment(amountMinor: .max, paidOn: F.today, reference: "")), on: Self.listed,
      field: "amount_minor")
    expectTooLarge(
      .confirmSettlement(on: F.today, amountMinor: .max, note: ""), on: Self.listed,
      field: "amount_minor")
    expectTooLarge(
      .settleOnPartyProof(on: F.today, amountMinor: Self.inrMaximum + 1, note: ""),
      on: Self.listed, context: F.operatorContext, field: "amount_minor")
    let instalments = (1...4).map {
      Instalment(dueOn: F.today.adding(days: 30 * $0), amountMinor: $0 == 4 ? .max : 1)
    }
    expectTooLarge(.agreePlan(instalments), on: Self.listed, field: "instalments[3].amount_minor")
  }

  @Test func planDatesAreBounded() {
    func plan(due: CalendarDate) -> String? {
      F.refusal {
        try ListingDecider.decide(
          .agreePlan([Instalment(dueOn: due, amountMinor: 250_000_00)]), on: Self.listed,
          context: F.context())
      }?.field
    }
    #expect(plan(due: F.today.adding(years: 10)) == nil)
    #expect(plan(due: F.today.adding(years: 10).adding(days: 1)) == "instalments[0].due_on")
    #expect(plan(due: F.today.adding(days: -1)) == "instalments[0].due_on")
    let error = F.refusal {
      try ListingDecider.decide(
        .agreePlan([
          Instalment(dueOn: F.today.adding(days: 30), amountMinor: 1),
          Instalment(dueOn: CalendarDate("9999-12-31")!, amountMinor: 250_000_00 - 1),
        ]), on: Self.listed, context: F.context())
    }
    #expect(error?.reason == "PLAN_TOO_LONG")
    #expect(error?.field == "instalments[1].due_on")
  }

  /// A public listing in `currency` with the given figures, as rows from before the cap may hold.
  static func shown(
    original: Int64, outstanding: Int64, currency: String = "INR", state: ListingState = .listed
  ) -> PublicListing {
    var listing = PublicListing(listed)!
    listing.originalMinor = original
    listing.outstandingMinor = outstanding
    listing.currency = currency
    listing.state = state
    if state == .settled {
      listing.settledOn = F.today
      listing.settledInFull = true
    }
    return listing
  }

  @Test(arguments: [Int64.max, Int64.max / 2, 1 << 62, 1])
  func summariesSaturateInsteadOfTrapping(_ amount: Int64) {
    for count in [0, 1, 2, 3, 60] {
      let listings = (0..<count).map {
        Self.shown(
          original: amount, outstanding: amount, currency: $0 % 3 == 0 ? "USD" : "INR",
          state: $0 % 4 == 3 ? .settled : .listed)
      }
      let summary = PartyAssessment(listings: listings, today: F.today).summary
      for currency in ["INR", "USD"] {
        let inCurrency = listings.filter { $0.currency == currency }
        let exact = inCurrency.reduce(Int128(0)) { $0 + Int128($1.originalMinor) }
        let original = summary.originalByCurrency[currency]
        #expect(original == (inCurrency.isEmpty ? nil : Int64(exactly: exact) ?? .max))
        #expect(summary.outstandingByCurrency[currency] == original)
      }
    }
  }

  @Test func listingTotalsSaturate() {
    var listing = Self.listed
    listing.invoices = Array(repeating: F.invoice(amount: .max), count: 3)
    listing.payments = Array(
      repeating: Payment(amountMinor: .max / 2 + 1, paidOn: F.today, reference: ""), count: 2)
    #expect(listing.originalMinor == .max)
    #expect(listing.paidMinor == .max)
    #expect(listing.outstandingMinor == 0)
    listing.payments = [Payment(amountMinor: 1, paidOn: F.today, reference: "")]
    #expect(listing.outstandingMinor == .max - 1)
    listing.state = .settled
    listing.settlement = Settlement(
      settledOn: F.today, amountMinor: .max, inFull: true, confirmedBy: "M-A")
    #expect(PublicListing(listing)?.settledInFull == true)
    listing.plan = PaymentPlan(
      instalments: [Instalment(dueOn: F.today, amountMinor: .max)], agreedOn: F.today,
      paidBeforeMinor: .min)
    #expect(listing.plan?.instalmentsPaid(totalPaidMinor: .max) == 1)
  }
}
