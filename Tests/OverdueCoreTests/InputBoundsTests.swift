import OverdueCore
import Testing

@Suite("Input bounds")
struct InputBoundsTests {
  typealias F = Fixtures

  func refusal(_ text: String, max: Int = 10, kind: InputBounds.TextKind) -> RegistryError? {
    F.refusal { try InputBounds.check(text, field: "note", max: max, kind: kind) }
  }

  @Test(
    "one line refuses every control character and the Unicode line separators",
    arguments: [
      "a\0b", "a\nb", "a\rb", "a\r\nb", "a\tb", "a\u{7F}", "\u{85}", "\u{9F}", "a\u{1B}",
      "a\u{2028}b", "a\u{2029}b",
    ])
  func lineRefusals(_ text: String) throws {
    let error = try #require(refusal(text, kind: .line))
    #expect(error.reason == "CONTROL_CHARACTER")
    #expect(error.field == "note")
    #expect(error.message.hasPrefix("note "))
  }

  @Test(arguments: ["a\nb\tc", "a\r\nb", "line\u{2028}separated", "", "ünïcödé ✓"])
  func textAllowsNewlinesAndTabs(_ text: String) {
    #expect(refusal(text, max: 100, kind: .text) == nil)
  }

  @Test(arguments: ["a\0b", "a\rb", "a\r", "a\r\rb", "\u{1B}[31m", "a\u{85}", "a\u{7F}"])
  func textRefusesOtherControls(_ text: String) {
    #expect(refusal(text, kind: .text)?.reason == "CONTROL_CHARACTER")
  }

  @Test func lengthsCountUnicodeScalars() {
    #expect(refusal("0123456789", kind: .line) == nil)
    #expect(refusal("ééééé", kind: .line) == nil)
    let error = refusal("01234567890", kind: .line)
    #expect(error?.reason == "TOO_LONG")
    #expect(error?.message == "note has at most 10 characters")
    // Five characters, but ten scalars with a combining accent each, plus one more.
    #expect(
      refusal(String(repeating: "e\u{301}", count: 5) + "x", kind: .text)?.reason == "TOO_LONG")
  }

  @Test func counts() {
    #expect(
      F.refusal {
        try InputBounds.checkCount(21, field: "evidence", max: 20, reason: "TOO_MANY_THINGS")
      }?.reason == "TOO_MANY_THINGS")
    #expect(
      F.refusal { try InputBounds.checkCount(20, field: "evidence", max: 20, reason: "X") } == nil)
  }

  @Test func identifiersRefuseControlCharactersAsGiven() {
    for raw in ["27AAPFU0939F1ZV\n", "27AAPFU0939F1ZV\0", "27AAPFU\t0939F1ZV"] {
      let error = F.refusal { try PartyIdentifier.parse(scheme: "", value: raw) }
      #expect(error?.reason == "CONTROL_CHARACTER")
      #expect(error?.field == "party.value")
    }
    #expect(
      F.refusal { try PartyIdentifier.parse(scheme: "GSTIN\n", value: "27AAPFU0939F1ZV") }?.field
        == "party.scheme")
    let long = F.refusal {
      try PartyIdentifier.parse(
        scheme: "REG", value: String(repeating: "1", count: 65), field: "identifier")
    }
    #expect(long?.reason == "TOO_LONG")
    #expect(long?.field == "identifier.value")
    #expect(F.refusal { try PartyIdentifier.parse(scheme: "", value: " 27aapfu0939f1zv ") } == nil)
  }
}

@Suite("Bounds in the listing rules")
struct DeciderBoundsTests {
  typealias F = Fixtures

  static let listed = try! F.run([(.file(F.filing()), F.context()), (.verify, F.operatorContext)])!
  static let pending = try! F.run([(.file(F.filing()), F.context())])!
  static let disputed = try! F.run(
    [
      (.file(F.filing()), F.context()), (.verify, F.operatorContext),
      (.recordDispute(statement: "not ours", raisedOn: F.today), F.operatorContext),
    ])!

  static func named(_ legalName: String) -> Filing {
    var filing = F.filing()
    filing.legalName = legalName
    return filing
  }

  static func evidence(_ description: String, count: Int = 1) -> [EvidenceReference] {
    var document = F.evidence
    document.description = description
    return Array(repeating: document, count: count)
  }

  static let long = String(repeating: "x", count: 10_001)

  static let cases: [(ListingCommand, Listing?, DecisionContext, String, String)] = [
    (.file(named("Acme\nLLP")), nil, F.context(), "legal_name", "CONTROL_CHARACTER"),
    (.file(named(String(repeating: "A", count: 301))), nil, F.context(), "legal_name", "TOO_LONG"),
    (
      .file(F.filing(invoices: [F.invoice("A"), F.invoice("B"), F.invoice("C\u{0}")])), nil,
      F.context(), "invoices[2].number", "CONTROL_CHARACTER"
    ),
    (
      .file(F.filing(invoices: [F.invoice(String(repeating: "9", count: 65))])), nil, F.context(),
      "invoices[0].number", "TOO_LONG"
    ),
    (
      .file(F.filing(invoices: Array(repeating: F.invoice(), count: 501))), nil, F.context(),
      "invoices", "TOO_MANY_INVOICES"
    ),
    (
      .file(F.filing(evidence: evidence("a.pdf", count: 21))), nil, F.context(), "evidence",
      "TOO_MANY_EVIDENCE_DOCUMENTS"
    ),
    (
      .file(F.filing(evidence: evidence(String(repeating: "d", count: 501)))), nil, F.context(),
      "evidence[0].description", "TOO_LONG"
    ),
    (
      .amend(Amendment(legalName: "Acme\r\nLLP")), pending, F.context(), "legal_name",
      "CONTROL_CHARACTER"
    ),
    (
      .amend(Amendment(invoices: [F.invoice("INV\t1")])), pending, F.context(),
      "invoices[0].number", "CONTROL_CHARACTER"
    ),
    (
      .amend(Amendment(addedEvidence: evidence("more", count: 20))), pending, F.context(),
      "add_evidence", "TOO_MANY_EVIDENCE_DOCUMENTS"
    ),
    (
      .amend(Amendment(addedEvidence: evidence("bad\u{1B}[0m"))), pending, F.context(),
      "add_evidence[0].description", "CONTROL_CHARACTER"
    ),
    (.reject(reason: long), pending, F.operatorContext, "reason", "TOO_LONG"),
    (
      .recordPayment(Payment(amountMinor: 1, paidOn: F.today, reference: "UTR\n1")), listed,
      F.context(), "reference", "CONTROL_CHARACTER"
    ),
    (
      .confirmSettlement(on: F.today, amountMinor: 0, note: "ok\0"), listed, F.context(), "note",
      "CONTROL_CHARACTER"
    ),
    (
      .settleOnPartyProof(on: F.today, amountMinor: 0, note: long), listed, F.operatorContext,
      "note", "TOO_LONG"
    ),
    (.withdraw(reason: .filedInError, note: long), listed, F.context(), "note", "TOO_LONG"),
    (
      .agreePlan(
        Array(repeating: Instalment(dueOn: F.today.adding(days: 30), amountMinor: 1), count: 121)),
      listed, F.context(), "instalments", "TOO_MANY_INSTALMENTS"
    ),
    (
      .recordDispute(statement: long + "x", raisedOn: F.today), listed, F.operatorContext,
      "statement", "TOO_LONG"
    ),
    (
      .decideDispute(outcome: .forMember, reason: "stands\u{7F}"), disputed, F.operatorContext,
      "reason", "CONTROL_CHARACTER"
    ),
  ]

  @Test(arguments: cases)
  func refusalsNameTheRequestField(
    _ command: ListingCommand, _ listing: Listing?, _ context: DecisionContext, _ field: String,
    _ reason: String
  ) {
    let error = F.refusal { try ListingDecider.decide(command, on: listing, context: context) }
    #expect(error?.code == .invalidArgument)
    #expect(error?.field == field)
    #expect(error?.reason == reason)
  }

  @Test func textWithinBoundsIsAccepted() throws {
    let note = "paid in full\r\nthanks\tteam"
    let events = try ListingDecider.decide(
      .withdraw(reason: .privateAgreement, note: note), on: Self.listed, context: F.context())
    #expect(events == [.withdrawn(reason: .privateAgreement, note: note, on: F.today)])
    _ = try ListingDecider.decide(
      .file(F.filing(evidence: Self.evidence("invoice\nand proof of delivery", count: 20))),
      on: nil, context: F.context())
  }
}

@Suite("Bidirectional controls")
struct BidirectionalControlTests {
  @Test(arguments: ["\u{202E}dlrow", "a\u{2066}b", "a\u{202A}b", "x\u{2069}"])
  func areRefusedInNamesAndText(_ text: String) {
    for kind in [InputBounds.TextKind.line, .text] {
      #expect(throws: RegistryError.self) {
        try InputBounds.check(text, field: "legal_name", max: 300, kind: kind)
      }
    }
  }

  @Test(arguments: ["‰ per mille", "a ※ b", "prime′", "Ślązak – Łódź"])
  func punctuationNearThemIsNot(_ text: String) throws {
    try InputBounds.check(text, field: "legal_name", max: 300, kind: .line)
  }
}
