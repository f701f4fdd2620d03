import Foundation

/// A validated, normalised party identifier: a scheme and a value.
public struct PartyIdentifier: Hashable, Codable, Sendable, CustomStringConvertible {
  public let scheme: IdentifierScheme
  public let value: String
  /// The PAN this identifier is linked to: itself for a PAN, the embedded PAN of a regular GSTIN.
  public let linkedPAN: String?

  /// Builds an identifier without validation; use `parse` for anything that came from outside.
  public init(unchecked scheme: IdentifierScheme, _ value: String) {
    self.scheme = scheme
    self.value = value
    switch scheme {
    case .pan: linkedPAN = value
    case .gstin: linkedPAN = GSTIN.embeddedPAN(value)
    default: linkedPAN = nil
    }
  }

  private enum CodingKeys: String, CodingKey {
    case scheme, value
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      unchecked: try container.decode(IdentifierScheme.self, forKey: .scheme),
      try container.decode(String.self, forKey: .value))
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(scheme, forKey: .scheme)
    try container.encode(value, forKey: .value)
  }

  public var description: String { "\(scheme.rawValue) \(value)" }

  /// Upper case, with spaces and `-`, `.`, `/` removed.
  public static func normalise(_ raw: String) -> String {
    // Most identifiers arrive clean: upper-case ASCII letters and digits only.
    if raw.utf8.allSatisfy({
      ASCII.isDigit($0) || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z"))
    }) {
      return raw
    }
    return String(raw.uppercased().filter { !" -./\t".contains($0) })
  }

  /// Normalises and validates `value` under `scheme` (inferred from the value when empty).
  /// Errors name `field` (e.g. `party.value`). Control characters and a value of more than
  /// `InputBounds.identifierValue` characters are refused as given, before normalisation.
  public static func parse(
    scheme rawScheme: String, value rawValue: String, field: String = "party"
  )
    throws(RegistryError) -> PartyIdentifier
  {
    try InputBounds.check(
      rawValue, field: "\(field).value", max: InputBounds.identifierValue, kind: .line)
    try InputBounds.check(
      rawScheme, field: "\(field).scheme", max: InputBounds.identifierValue, kind: .line)
    let value = normalise(rawValue)
    guard !value.isEmpty else {
      throw .invalid("\(field).value", "MISSING_IDENTIFIER", "an identifier is required")
    }
    let schemeText =
      rawScheme.isEmpty ? "" : rawScheme.trimmingCharacters(in: .whitespaces).uppercased()
    let scheme: IdentifierScheme
    if schemeText.isEmpty {
      guard let inferred = infer(value) else {
        throw .invalid(
          "\(field).scheme", "UNKNOWN_SCHEME",
          "cannot tell the scheme of '\(value)'; give one of GSTIN, PAN, LEI, VAT, REG")
      }
      scheme = inferred
    } else {
      guard let named = IdentifierScheme(rawValue: schemeText) else {
        throw .invalid(
          "\(field).scheme", "UNKNOWN_SCHEME",
          "unknown scheme '\(rawScheme)'; use GSTIN, PAN, LEI, VAT or REG")
      }
      scheme = named
    }
    do {
      switch scheme {
      case .gstin: try GSTIN.validate(value)
      case .pan: try PAN.validate(value)
      case .lei: try LEI.validate(value)
      case .vat: try VATNumber.validate(value)
      case .reg: try CompanyRegistration.validate(value)
      }
    } catch {
      throw error.at(field: "\(field).value")
    }
    return PartyIdentifier(unchecked: scheme, value)
  }

  /// The scheme a bare value most plausibly has, judged by its shape alone.
  static func infer(_ value: String) -> IdentifierScheme? {
    let length = value.utf8.count
    if length == 15, value.utf8.prefix(2).allSatisfy(ASCII.isDigit) { return .gstin }
    if length == 10, PAN.hasShape(value) { return .pan }
    if length == 20 { return .lei }
    if VATNumber.countryCodes.contains(String(value.prefix(2))) { return .vat }
    return nil
  }
}

extension Character {
  var isASCIIAlphanumeric: Bool { isASCII && (isLetter || isNumber) }
}

/// Byte tests for the ASCII identifiers.
enum ASCII {
  static func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
  }
  static func isLetter(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
      || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
  }
}
