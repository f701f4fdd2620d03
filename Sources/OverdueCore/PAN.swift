/// India's Permanent Account Number: five letters, four digits, a letter; the 4th letter is the holder type.
public enum PAN {
  /// Who holds a PAN, from its fourth letter.
  public enum HolderType: Character, Sendable, CaseIterable {
    case company = "C", individual = "P", hinduUndividedFamily = "H", firm = "F"
    case associationOfPersons = "A", trust = "T", bodyOfIndividuals = "B", localAuthority = "L"
    case artificialJuridicalPerson = "J", government = "G"

    /// Businesses can be listed by PAN; individuals and HUFs only through a GSTIN.
    public var isBusiness: Bool { self != .individual && self != .hinduUndividedFamily }
  }

  static func hasShape(_ value: some StringProtocol) -> Bool {
    hasShape(value.utf8)
  }

  /// Five letters, four digits, a letter: read off the bytes without copying them (identifiers
  /// are checked by the hundred thousand in a batch).
  static func hasShape(_ bytes: some Collection<UInt8>) -> Bool {
    var count = 0
    for byte in bytes {
      guard count < 10, (5..<9).contains(count) ? ASCII.isDigit(byte) : ASCII.isLetter(byte)
      else { return false }
      count += 1
    }
    return count == 10
  }

  public static func holderType(of value: some StringProtocol) -> HolderType? {
    holderType(of: value.utf8)
  }

  /// An individual's or HUF's PAN: never listed by itself, never shown in a report.
  public static func isPersonal(_ value: some StringProtocol) -> Bool {
    holderType(of: value)?.isBusiness == false
  }

  static func holderType(of bytes: some Collection<UInt8>) -> HolderType? {
    guard bytes.count == 10 else { return nil }
    return HolderType(
      rawValue: Character(Unicode.Scalar(bytes[bytes.index(bytes.startIndex, offsetBy: 3)])))
  }

  /// Checks the pattern and the holder type (the check letter's algorithm is not published).
  public static func validate(_ value: String) throws(RegistryError) {
    guard value.count == 10 else {
      throw .invalid("value", "INVALID_LENGTH", "a PAN has 10 characters, got \(value.count)")
    }
    guard hasShape(value) else {
      throw .invalid("value", "INVALID_FORMAT", "a PAN is five letters, four digits and a letter")
    }
    guard holderType(of: value) != nil else {
      throw .invalid(
        "value", "UNKNOWN_HOLDER_TYPE",
        "PAN holder type (4th letter) '\(Array(value)[3])' is not one of C P H F A T B L J G")
    }
  }
}
