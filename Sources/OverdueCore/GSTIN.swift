/// India's Goods and Services Tax identification number: state code, PAN, entity code, `Z`, check character.
public enum GSTIN {
  static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")

  /// The current GST state and union-territory codes (not a range: some numbers are unused).
  public static let stateCodes: [String: String] = [
    "01": "Jammu and Kashmir", "02": "Himachal Pradesh", "03": "Punjab", "04": "Chandigarh",
    "05": "Uttarakhand", "06": "Haryana", "07": "Delhi", "08": "Rajasthan", "09": "Uttar Pradesh",
    "10": "Bihar", "11": "Sikkim", "12": "Arunachal Pradesh", "13": "Nagaland", "14": "Manipur",
    "15": "Mizoram", "16": "Tripura", "17": "Meghalaya", "18": "Assam", "19": "West Bengal",
    "20": "Jharkhand", "21": "Odisha", "22": "Chhattisgarh", "23": "Madhya Pradesh",
    "24": "Gujarat",
    "25": "Daman and Diu", "26": "Dadra and Nagar Haveli and Daman and Diu", "27": "Maharashtra",
    "28": "Andhra Pradesh (before reorganisation)", "29": "Karnataka", "30": "Goa",
    "31": "Lakshadweep",
    "32": "Kerala", "33": "Tamil Nadu", "34": "Puducherry", "35": "Andaman and Nicobar Islands",
    "36": "Telangana", "37": "Andhra Pradesh", "38": "Ladakh", "96": "Other Country",
    "97": "Other Territory", "99": "Centre Jurisdiction",
  ]

  /// Checks length, characters, state code and the mod-36 check character.
  public static func validate(_ value: String) throws(RegistryError) {
    let chars = Array(value)
    guard chars.count == 15 else {
      throw .invalid("value", "INVALID_LENGTH", "a GSTIN has 15 characters, got \(chars.count)")
    }
    guard chars.allSatisfy(\.isASCIIAlphanumeric) else {
      throw .invalid("value", "INVALID_CHARACTERS", "a GSTIN has only letters and digits")
    }
    let state = String(chars[0..<2])
    guard let _ = stateCodes[state] else {
      throw .invalid("value", "UNKNOWN_STATE_CODE", "'\(state)' is not a GST state code")
    }
    guard chars[12] != "0" else {
      throw .invalid(
        "value", "INVALID_ENTITY_CODE", "the GSTIN entity code (13th character) cannot be 0")
    }
    let expected = checkCharacter(chars[0..<14])
    guard chars[14] == expected else {
      throw .invalid(
        "value", "INVALID_CHECK_CHARACTER",
        "GSTIN check character should be '\(expected)', got '\(chars[14])'")
    }
  }

  /// The published GSTIN check character: mod 36 over alternating weights 1 and 2.
  public static func checkCharacter(_ first14: some Collection<Character>) -> Character {
    var sum = 0
    for (index, char) in first14.enumerated() {
      let value = base36Value(char)
      let product = value * (index % 2 == 0 ? 1 : 2)
      sum += product / 36 + product % 36
    }
    return alphabet[(36 - sum % 36) % 36]
  }

  /// 0–9 for digits, 10–35 for letters (upper case), 0 for anything else.
  static func base36Value(_ char: Character) -> Int {
    guard let ascii = char.asciiValue else { return 0 }
    switch ascii {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(ascii - UInt8(ascii: "0"))
    case UInt8(ascii: "A")...UInt8(ascii: "Z"): return Int(ascii - UInt8(ascii: "A")) + 10
    default: return 0
    }
  }

  /// The PAN in characters 3–12, when they form one (TDS and UIN numbers embed none).
  public static func embeddedPAN(_ value: String) -> String? {
    guard value.count == 15 else { return nil }
    let candidate = String(Array(value)[2..<12])
    return PAN.hasShape(candidate) && PAN.holderType(of: candidate) != nil ? candidate : nil
  }

  /// The state or territory named by the code, for a valid GSTIN.
  public static func stateName(_ value: String) -> String? { stateCodes[String(value.prefix(2))] }
}
