import OverdueCore
import Testing

@Suite("Invoice numbers for one debt, one listing")
struct InvoiceKeyTests {
  typealias F = Fixtures

  func key(_ number: String) -> InvoiceKey {
    InvoiceKey(number: number, issuedOn: F.today)
  }

  @Test(
    "numbers people read as the same are the same",
    arguments: [
      "INV-1\n", "\tINV-1", "INV-1\r\n", "INV\u{A0}-1", "INV-\u{200B}1", "INV\u{200D}-1",
      "\u{FEFF}INV-1", "INV\u{AD}-1", "INV\u{2010}1", "INV\u{2011}1", "INV\u{2013}1",
      "INV\u{2014}1", "INV\u{2212}1", "INV\u{FE63}1", "INV\u{FF0D}1", "ＩＮＶ-１", "ＩＮＶ－１",
      "inv-1", "Inv-1", "INV - 1", "I N V-1", "INV\u{3000}-1",
    ])
  func sameNumber(_ variant: String) {
    #expect(key(variant) == key("INV-1"))
    #expect(key(variant).hashValue == key("INV-1").hashValue)
  }

  @Test func spacesDoNotSeparate() {
    #expect(key("INV 1") == key("INV1"))
  }

  @Test(
    "different numbers stay different",
    arguments: [
      ("INV-1", "INV-2"), ("INV-1", "INV1"), ("INV-10", "INV-1"), ("INV/1", "INV-1"),
      ("INV.1", "INV1"), ("A-1", "Á-1"), ("0O1", "001"),
    ])
  func differentNumbers(_ a: String, _ b: String) {
    #expect(key(a) != key(b))
  }

  @Test func theIssueDateStillCounts() {
    #expect(key("INV-1") != InvoiceKey(number: "INV-1", issuedOn: F.today.adding(days: -1)))
  }

  @Test(arguments: ["INV-1", "ＩＮＶ－１", "straße 7", "ǅ-9", "İstanbul-1", "e\u{301}-1", "ﬁ-1"])
  func canonicalFormIsStableAndMatchesNumbersStoredUpperCased(_ number: String) {
    let canonical = key(number).number
    #expect(key(canonical).number == canonical)
    // Claims stored before this form hold the trimmed, upper-cased number.
    #expect(key(number.uppercased()) == key(number))
  }

  @Test func aClaimedInvoiceDifferingOnlyInInvisibleCharactersOrDashesIsADuplicate() {
    for claimedNumber in ["INV\u{200B}-1", "INV\u{2010}1", "ＩＮＶ-1"] {
      let claimed: Set<InvoiceKey> = [InvoiceKey(F.invoice(claimedNumber))]
      let error = F.refusal {
        try ListingDecider.decide(.file(F.filing()), on: nil, context: F.context(claimed: claimed))
      }
      #expect(error?.code == .alreadyExists)
      #expect(error?.reason == "DUPLICATE_INVOICE")
      #expect(error?.field == "invoices[0].number")
    }
  }

  @Test func twoSpellingsOfOneInvoiceInAFilingAreADuplicate() {
    let error = F.refusal {
      try ListingDecider.decide(
        .file(F.filing(invoices: [F.invoice("INV-1"), F.invoice("inv\u{2013}1")])), on: nil,
        context: F.context())
    }
    #expect(error?.code == .invalidArgument)
    #expect(error?.reason == "DUPLICATE_INVOICE")
    #expect(error?.field == "invoices[1].number")
  }

  @Test func aTrailingNewlineIsRefusedBeforeAnyComparison() {
    let error = F.refusal {
      try ListingDecider.decide(
        .file(F.filing(invoices: [F.invoice("INV-1\n")])), on: nil,
        context: F.context(claimed: [InvoiceKey(F.invoice())]))
    }
    #expect(error?.reason == "CONTROL_CHARACTER")
    #expect(error?.field == "invoices[0].number")
  }
}
