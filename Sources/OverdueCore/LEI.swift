/// The Legal Entity Identifier (ISO 17442): 18 characters and two check digits (ISO 7064 mod 97-10).
public enum LEI {
  public static func validate(_ value: String) throws(RegistryError) {
    let chars = Array(value)
    guard chars.count == 20 else {
      throw .invalid("value", "INVALID_LENGTH", "an LEI has 20 characters, got \(chars.count)")
    }
    guard chars.allSatisfy(\.isASCIIAlphanumeric), chars[18...].allSatisfy(\.isNumber) else {
      throw .invalid(
        "value", "INVALID_FORMAT", "an LEI is 18 letters or digits and two check digits")
    }
    guard mod97(chars) == 1 else {
      throw .invalid(
        "value", "INVALID_CHECK_DIGITS", "LEI check digits '\(String(chars[18...]))' do not match")
    }
  }

  /// The remainder mod 97 of the number formed by reading letters as 10...35.
  static func mod97(_ chars: [Character]) -> Int {
    var remainder = 0
    for char in chars {
      let value = char.isNumber ? Int(String(char))! : Int(char.asciiValue! - 55)
      remainder = (remainder * (value >= 10 ? 100 : 10) + value) % 97
    }
    return remainder
  }
}
