/// A company registration number with an ISO 3166 country prefix (format only).
public enum CompanyRegistration {
  public static func validate(_ value: String) throws(RegistryError) {
    let chars = Array(value)
    guard chars.count >= 4, chars.count <= 24,
      chars.prefix(2).allSatisfy({ $0.isLetter && $0.isASCII }),
      chars.dropFirst(2).allSatisfy(\.isASCIIAlphanumeric)
    else {
      throw .invalid(
        "value", "INVALID_FORMAT",
        "a registration number is a two-letter country code and 2 to 22 letters or digits")
    }
  }
}
