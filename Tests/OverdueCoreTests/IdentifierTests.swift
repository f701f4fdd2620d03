import OverdueCore
import Testing

@Suite("Party identifiers")
struct IdentifierTests {
  @Test(
    "published GSTINs validate",
    arguments: ["27AAPFU0939F1ZV", "24AAACC1206D1ZM", "33AAACH7409R1Z8", "27AAACT2727Q1ZW"])
  func publishedGSTINs(_ value: String) throws {
    let identifier = try PartyIdentifier.parse(scheme: "GSTIN", value: value)
    #expect(identifier.scheme == .gstin)
    #expect(identifier.linkedPAN == String(Array(value)[2..<12]))
  }

  @Test func gstinIsNormalisedAndInferred() throws {
    let identifier = try PartyIdentifier.parse(scheme: "", value: " 27aapfu0939f1zv ")
    #expect(identifier == PartyIdentifier(unchecked: .gstin, "27AAPFU0939F1ZV"))
    #expect(
      try PartyIdentifier.parse(scheme: "gstin", value: "27-AAPFU.0939/F1ZV").value
        == "27AAPFU0939F1ZV")
  }

  @Test func wrongGSTINCheckCharacterSaysWhichIsRight() {
    #expect(
      throws: RegistryError.invalid(
        "party.value", "INVALID_CHECK_CHARACTER", "GSTIN check character should be 'V', got 'X'")
    ) {
      try PartyIdentifier.parse(scheme: "GSTIN", value: "27AAPFU0939F1ZX")
    }
  }

  @Test(
    "GSTIN refusals",
    arguments: [
      ("27AAPFU0939F1Z", "INVALID_LENGTH"),
      ("40AAPFU0939F1ZV", "UNKNOWN_STATE_CODE"),
      ("27AAPFU0939F0ZV", "INVALID_ENTITY_CODE"),
      ("27AAPFU0939F1Z*", "INVALID_CHARACTERS"),
    ])
  func gstinRefusals(_ value: String, _ reason: String) {
    do {
      _ = try PartyIdentifier.parse(scheme: "GSTIN", value: value)
      Issue.record("\(value) should be refused")
    } catch {
      #expect(error.reason == reason)
      #expect(error.code == .invalidArgument)
      #expect(error.field == "party.value")
    }
  }

  @Test func stateCodesAreATableNotARange() {
    #expect(GSTIN.stateName("27AAPFU0939F1ZV") == "Maharashtra")
    #expect(GSTIN.stateCodes["39"] == nil)
    #expect(GSTIN.stateCodes["97"] == "Other Territory")
  }

  @Test func checkCharacterMatchesThePublishedAlgorithm() {
    #expect(GSTIN.checkCharacter(Array("27AAPFU0939F1Z")) == "V")
    #expect(GSTIN.checkCharacter(Array("24AAACC1206D1Z")) == "M")
  }

  @Test func panHolderTypes() throws {
    #expect(PAN.holderType(of: "AAPFU0939F") == .firm)
    #expect(PAN.holderType(of: "ABCPE1234F")?.isBusiness == false)
    #expect(PAN.holderType(of: "AAACC1206D")?.isBusiness == true)
    #expect(throws: RegistryError.self) {
      try PartyIdentifier.parse(scheme: "PAN", value: "AAAXC1206D")
    }
    #expect(throws: RegistryError.self) {
      try PartyIdentifier.parse(scheme: "PAN", value: "AAAC1C206D")
    }
  }

  @Test func tdsGSTINLinksNoPAN() {
    // A TDS registration embeds a TAN (4 letters, 5 digits, letter), not a PAN.
    #expect(GSTIN.embeddedPAN("07DELA12345A1D5") == nil)
  }

  @Test(
    "published LEIs validate",
    arguments: [
      "HWUPKR0MPOU8FGXBT394", "5493001KJTIIGC8Y1R12", "7LTWFZYICNSX8D621K86",
      "529900T8BM49AURSDO55",
    ])
  func publishedLEIs(_ value: String) throws {
    #expect(try PartyIdentifier.parse(scheme: "", value: value).scheme == .lei)
  }

  @Test func leiWithWrongCheckDigitsIsRefused() {
    #expect(throws: RegistryError.self) {
      try PartyIdentifier.parse(scheme: "LEI", value: "HWUPKR0MPOU8FGXBT395")
    }
  }

  @Test func vatChecksums() throws {
    #expect(try PartyIdentifier.parse(scheme: "VAT", value: "PL5260250274").scheme == .vat)
    #expect(throws: RegistryError.self) {
      try PartyIdentifier.parse(scheme: "VAT", value: "PL5260250275")
    }
    #expect(try PartyIdentifier.parse(scheme: "VAT", value: "DE136695976").value == "DE136695976")
    #expect(throws: RegistryError.self) {
      try PartyIdentifier.parse(scheme: "VAT", value: "DE136695977")
    }
  }

  @Test func unknownSchemeAndEmptyValue() {
    #expect(throws: RegistryError.self) {
      try PartyIdentifier.parse(scheme: "SSN", value: "27AAPFU0939F1ZV")
    }
    #expect(throws: RegistryError.self) { try PartyIdentifier.parse(scheme: "", value: "   ") }
    #expect(throws: RegistryError.self) { try PartyIdentifier.parse(scheme: "", value: "hello") }
  }
}
