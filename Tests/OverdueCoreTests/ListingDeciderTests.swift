import OverdueCore
import Testing

@Suite("Listing rules")
struct ListingDeciderTests {
  typealias F = Fixtures

  @Test func fileVerifyPaySettle() throws {
    let listing = try #require(
      try F.run([
        (.file(F.filing()), F.context()),
        (.verify, F.operatorContext),
        (
          .recordPayment(Payment(amountMinor: 50_000_00, paidOn: F.today, reference: "UTR1")),
          F.context()
        ),
      ]))
    #expect(listing.state == .listed)
    #expect(listing.outstandingMinor == 200_000_00)
    #expect(listing.listedOn == F.today)
    let settled = try #require(
      try F.run([
        (.file(F.filing()), F.context()), (.verify, F.operatorContext),
        (.confirmSettlement(on: F.today, amountMinor: 0, note: ""), F.context()),
      ]))
    #expect(settled.state == .settled)
    #expect(settled.outstandingMinor == 0)
    #expect(settled.settlement?.inFull == true)
    #expect(PublicListing(settled)?.impactActive == false)
  }

  @Test func paymentsCoveringTheDebtSettleIt() throws {
    let listing = try #require(
      try F.run([
        (.file(F.filing()), F.context()), (.verify, F.operatorContext),
        (
          .recordPayment(
            Payment(amountMinor: 250_000_00, paidOn: F.today.adding(days: -1), reference: "")),
          F.context()
        ),
      ]))
    #expect(listing.state == .settled)
    #expect(listing.settlement?.settledOn == F.today.adding(days: -1))
  }

  @Test func settlementForLess() throws {
    let listing = try #require(
      try F.run([
        (.file(F.filing()), F.context()), (.verify, F.operatorContext),
        (.confirmSettlement(on: F.today, amountMinor: 100_000_00, note: "agreed"), F.context()),
      ]))
    #expect(listing.settlement?.inFull == false)
    #expect(PublicListing(listing)?.settledInFull == false)
  }

  @Test func verifyBeforeTheNoticePeriodEndsIsRefused() {
    #expect(
      F.reason {
        try F.run([
          (.file(F.filing(notice: "2026-11-20")), F.context()), (.verify, F.operatorContext),
        ])
      } == "NOTICE_PERIOD_NOT_OVER")
  }

  @Test func verifyNeedsEvidence() {
    #expect(
      F.reason {
        try F.run([(.file(F.filing(evidence: [])), F.context()), (.verify, F.operatorContext)])
      } == "EVIDENCE_REQUIRED")
  }

  @Test(
    "filing rules",
    arguments: [
      (F.filing(invoices: [F.invoice(due: "2026-10-01")]), "NOT_OVERDUE_LONG_ENOUGH"),
      (F.filing(invoices: [F.invoice(due: "2023-11-01")]), "TIME_BARRED"),
      (F.filing(invoices: [F.invoice(due: "2026-12-01")]), "DATE_IN_FUTURE"),
      (F.filing(invoices: [F.invoice(amount: 999_99)]), "BELOW_MINIMUM_AMOUNT"),
      (F.filing(invoices: [F.invoice(amount: 0)]), "NON_POSITIVE_AMOUNT"),
      (F.filing(invoices: []), "NO_INVOICES"),
      (F.filing(invoices: [F.invoice("A"), F.invoice("a")]), "DUPLICATE_INVOICE"),
      (F.filing(notice: "2026-06-30"), "NOTICE_BEFORE_DUE_DATE"),
      (F.filing(notice: "2026-11-24"), "DATE_IN_FUTURE"),
      (F.filing(currency: "XAU"), "UNSUPPORTED_CURRENCY"),
      (F.filing(party: PartyIdentifier(unchecked: .pan, "ABCPE1234F")), "BUSINESSES_ONLY"),
      (F.filing(party: PartyIdentifier(unchecked: .pan, "AAACC1206D")), "SELF_LISTING"),
      (F.filing(party: PartyIdentifier(unchecked: .gstin, "24AAACC1206D1ZM")), "SELF_LISTING"),
    ])
  func filingRefusals(_ filing: Filing, _ expected: String) {
    #expect(
      F.reason { try ListingDecider.decide(.file(filing), on: nil, context: F.context()) }
        == expected
    )
  }

  @Test func oneDebtOneListing() {
    let claimed: Set<InvoiceKey> = [InvoiceKey(F.invoice())]
    do {
      _ = try ListingDecider.decide(
        .file(F.filing()), on: nil, context: F.context(claimed: claimed))
      Issue.record("a claimed invoice must be refused")
    } catch {
      #expect(error.code == .alreadyExists)
      #expect(error.reason == "DUPLICATE_INVOICE")
      #expect(error.field == "invoices[0].number")
    }
  }

  @Test func anotherMembersListingDoesNotExistForYou() throws {
    let listing = try F.run([(.file(F.filing()), F.context())])
    let other = Member(
      id: "M-B", displayName: "B",
      identifier: PartyIdentifier(unchecked: .gstin, "33AAACH7409R1Z8"), sector: "")
    do {
      _ = try ListingDecider.decide(
        .withdraw(reason: .filedInError, note: ""), on: listing,
        context: F.context(.member("M-B"), member: other))
      Issue.record("another member must not withdraw")
    } catch {
      #expect(error.code == .notFound)
    }
  }

  @Test func suspendedMembersCannotWrite() {
    var suspended = F.seller
    suspended.status = .suspended
    #expect(
      F.reason {
        try ListingDecider.decide(.file(F.filing()), on: nil, context: F.context(member: suspended))
      } == "MEMBER_SUSPENDED")
  }

  @Test func membersCannotVerifyAndOperatorsCannotSettleForMembers() throws {
    let listing = try F.run([(.file(F.filing()), F.context())])
    #expect(
      F.reason { try ListingDecider.decide(.verify, on: listing, context: F.context()) }
        == "OPERATORS_ONLY")
    #expect(
      F.reason {
        try ListingDecider.decide(
          .withdraw(reason: .filedInError, note: ""), on: listing, context: F.operatorContext)
      } == "MEMBERS_ONLY")
  }

  @Test func wrongStates() throws {
    let settled = try F.run([
      (.file(F.filing()), F.context()), (.verify, F.operatorContext),
      (.confirmSettlement(on: F.today, amountMinor: 0, note: ""), F.context()),
    ])
    #expect(
      F.reason {
        try ListingDecider.decide(
          .withdraw(reason: .paidBeforeListing, note: ""), on: settled, context: F.context())
      } == "WRONG_STATE")
    let pending = try F.run([(.file(F.filing()), F.context())])
    #expect(
      F.reason {
        try ListingDecider.decide(
          .recordPayment(Payment(amountMinor: 1, paidOn: F.today, reference: "")), on: pending,
          context: F.context())
      } == "WRONG_STATE")
    #expect(
      F.reason { try ListingDecider.decide(.file(F.filing()), on: pending, context: F.context()) }
        == "LISTING_EXISTS")
  }

  @Test func overpaymentIsRefused() throws {
    let listed = try F.run([(.file(F.filing()), F.context()), (.verify, F.operatorContext)])
    #expect(
      F.reason {
        try ListingDecider.decide(
          .recordPayment(Payment(amountMinor: 250_000_01, paidOn: F.today, reference: "")),
          on: listed, context: F.context())
      } == "PAYMENT_EXCEEDS_OUTSTANDING")
  }

  @Test func withdrawnListingsLeaveThePublicView() throws {
    let withdrawn = try #require(
      try F.run([
        (.file(F.filing()), F.context()), (.verify, F.operatorContext),
        (.withdraw(reason: .privateAgreement, note: ""), F.context()),
      ]))
    #expect(withdrawn.state == .withdrawn)
    #expect(PublicListing(withdrawn) == nil)
  }
}
