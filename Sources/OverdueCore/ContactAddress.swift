/// The contact details a member gives for a party or for itself, checked before anything is sent
/// to them: an e-mail address a mail server accepts, a phone number in international form.
public enum ContactAddress {
  /// An e-mail address: ASCII (the registry's mail server is not asked for SMTPUTF8), one `@`, a
  /// dotted domain, no spaces or control characters, at most 254 characters. Empty passes (no
  /// address given).
  public static func checkEmail(_ address: String, field: String) throws(RegistryError) {
    guard !address.isEmpty else { return }
    try InputBounds.check(address, field: field, max: 254, kind: .line)
    let parts = address.split(separator: "@", omittingEmptySubsequences: false)
    guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
      !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
      address.unicodeScalars.allSatisfy({
        $0.value > 0x20 && $0.value < 0x7F && $0 != "<" && $0 != ">"
      })
    else {
      throw .invalid(field, "INVALID_EMAIL", "'\(address)' is not an e-mail address")
    }
  }

  /// A phone number in E.164 form: `+` and 8 to 15 digits. Empty passes.
  public static func checkPhone(_ number: String, field: String) throws(RegistryError) {
    guard !number.isEmpty else { return }
    let digits = number.dropFirst()
    guard number.hasPrefix("+"), (8...15).contains(digits.count),
      digits.allSatisfy({ $0.isASCII && $0.isNumber })
    else {
      throw .invalid(field, "INVALID_PHONE", "a phone number like +919876543210, got '\(number)'")
    }
  }
}
