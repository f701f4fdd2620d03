/// An EU VAT number with its country prefix; format per country, checksums where they are public.
public enum VATNumber {
  /// Country prefix → the shape of what follows (d: digit, a: letter or digit).
  static let formats: [String: [String]] = [
    "AT": ["Uaaaaaaaa"], "BE": ["dddddddddd"], "BG": ["ddddddddd", "dddddddddd"],
    "CY": ["ddddddddL"], "CZ": ["dddddddd", "ddddddddd", "dddddddddd"], "DE": ["ddddddddd"],
    "DK": ["dddddddd"], "EE": ["ddddddddd"], "EL": ["ddddddddd"], "ES": ["aaaaaaaaa"],
    "FI": ["dddddddd"], "FR": ["aadddddddddd"], "HR": ["ddddddddddd"], "HU": ["dddddddd"],
    "IE": ["daaaaaaL", "daaaaaaLL"], "IT": ["ddddddddddd"], "LT": ["ddddddddd", "dddddddddddd"],
    "LU": ["dddddddd"], "LV": ["ddddddddddd"], "MT": ["dddddddd"], "NL": ["dddddddddBdd"],
    "PL": ["dddddddddd"], "PT": ["ddddddddd"],
    "RO": [
      "dd", "ddd", "dddd", "ddddd", "dddddd", "ddddddd", "dddddddd", "ddddddddd", "dddddddddd",
    ],
    "SE": ["dddddddddd01"], "SI": ["dddddddd"], "SK": ["dddddddddd"],
    "XI": ["ddddddddd", "dddddddddddd"],
  ]

  static var countryCodes: Set<String> { Set(formats.keys) }

  public static func validate(_ value: String) throws(RegistryError) {
    let country = String(value.prefix(2))
    guard let shapes = formats[country] else {
      throw .invalid("value", "UNKNOWN_COUNTRY", "'\(country)' is not an EU VAT country prefix")
    }
    let body = Array(value.dropFirst(2))
    guard shapes.contains(where: { matches(body, $0) }) else {
      throw .invalid("value", "INVALID_FORMAT", "not a valid \(country) VAT number format")
    }
    let digits = body.compactMap { $0.wholeNumberValue }
    switch country {
    case "PL":
      let weights = [6, 5, 7, 2, 3, 4, 5, 6, 7]
      let check = zip(weights, digits).map(*).reduce(0, +) % 11
      guard check != 10, check == digits[9] else { throw checkDigitError(country) }
    case "DE":
      var product = 10
      for digit in digits.prefix(8) {
        var sum = (digit + product) % 10
        if sum == 0 { sum = 10 }
        product = (2 * sum) % 11
      }
      guard (11 - product) % 10 == digits[8] else { throw checkDigitError(country) }
    default:
      break
    }
  }

  static func checkDigitError(_ country: String) -> RegistryError {
    .invalid(
      "value", "INVALID_CHECK_DIGITS", "the \(country) VAT number's check digit does not match")
  }

  static func matches(_ body: [Character], _ shape: String) -> Bool {
    guard body.count == shape.count else { return false }
    return zip(body, shape).allSatisfy { char, kind in
      switch kind {
      case "d": return char.isNumber && char.isASCII
      case "a": return char.isASCIIAlphanumeric
      case "L": return char.isLetter && char.isASCII
      default: return char == kind
      }
    }
  }
}
