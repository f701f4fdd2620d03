import OverdueClient
import Testing

@Suite("CSV ledgers")
struct BatchLedgerTests {
  @Test func quotesBOMCRLFAndEmptyLines() throws {
    let text =
      "\u{FEFF}customer,identifier,scheme\r\n\"Acme, Pune\",27AAPFU0939F1ZV,\r\n\r\n\"New \"\"Buyer\"\"\",AAPFU0939F,PAN\r\n\"two\nlines\",X,\n"
    let ledger = try BatchLedger(csv: text)
    #expect(ledger.header == ["customer", "identifier", "scheme"])
    #expect(ledger.rows.map(\.identifier) == ["27AAPFU0939F1ZV", "AAPFU0939F", "X"])
    #expect(ledger.rows.map(\.scheme) == ["", "PAN", ""])
    #expect(ledger.rows[0].columns[0] == "Acme, Pune")
    #expect(ledger.rows[1].columns[0] == "New \"Buyer\"")
    #expect(ledger.rows[2].columns[0] == "two\nlines")
    #expect(ledger.rows.map(\.line) == [2, 4, 5])
  }

  @Test func aPlainListHasOneIdentifierPerLine() throws {
    let ledger = try BatchLedger(csv: "27AAPFU0939F1ZV\nAAPFU0939F\n\n")
    #expect(ledger.header == ["identifier"])
    #expect(ledger.rows.map(\.identifier) == ["27AAPFU0939F1ZV", "AAPFU0939F"])
  }

  @Test func headerMatchingIgnoresCaseAndShortRowsArePadded() throws {
    let ledger = try BatchLedger(csv: "Name, IDENTIFIER ,note\nAcme,27AAPFU0939F1ZV\n")
    #expect(ledger.rows.first?.identifier == "27AAPFU0939F1ZV")
    #expect(ledger.rows.first?.columns.count == 3)
  }

  @Test(
    "unreadable files say why",
    arguments: [
      ("name,gstin\nAcme,27AAPFU0939F1ZV\n", "no 'identifier' column"),
      ("", "no rows"),
      ("identifier\n\"unclosed,27AAPFU0939F1ZV\n", "never closed"),
      ("27AAPFU0939F1ZV\nAcme,AAPFU0939F\n", "one identifier per line"),
    ])
  func errors(_ text: String, _ message: String) {
    do {
      _ = try BatchLedger(csv: text)
      Issue.record("should fail: \(message)")
    } catch {
      #expect("\(error)".contains(message))
    }
  }
}
