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
    let bytes = Array(value.utf8)
    // 15 bytes are 15 characters exactly when all are ASCII (and counting characters is slow).
    guard bytes.count == 15, bytes.allSatisfy({ $0 < 0x80 }) else {
      throw .invalid("value", "INVALID_LENGTH", "a GSTIN has 15 characters, got \(value.count)")
    }
    guard bytes.allSatisfy({ ASCII.isDigit($0) || ASCII.isLetter($0) }) else {
      throw .invalid("value", "INVALID_CHARACTERS", "a GSTIN has only letters and digits")
    }
    guard stateName(value) != nil else {
      let state = String(decoding: bytes[0..<2], as: UTF8.self)
      throw .invalid("value", "UNKNOWN_STATE_CODE", "'\(state)' is not a GST state code")
    }
    guard bytes[12] != UInt8(ascii: "0") else {
      throw .invalid(
        "value", "INVALID_ENTITY_CODE", "the GSTIN entity code (13th character) cannot be 0")
    }
    let expected = checkCharacter(bytes[0..<14])
    guard bytes[14] == expected.asciiValue else {
      throw .invalid(
        "value", "INVALID_CHECK_CHARACTER",
        "GSTIN check character should be '\(expected)', got '\(Character(Unicode.Scalar(bytes[14])))'"
      )
    }
  }

  /// The published GSTIN check character: mod 36 over alternating weights 1 and 2.
  public static func checkCharacter(_ first14: some Collection<Character>) -> Character {
    checkCharacter(first14.compactMap(\.asciiValue))
  }

  static func checkCharacter(_ first14: some Collection<UInt8>) -> Character {
    var sum = 0
    for (index, byte) in first14.enumerated() {
      let product = base36Value(byte) * (index % 2 == 0 ? 1 : 2)
      sum += product / 36 + product % 36
    }
    return alphabet[(36 - sum % 36) % 36]
  }

  /// 0–9 for digits, 10–35 for upper-case letters, 0 for anything else.
  static func base36Value(_ byte: UInt8) -> Int {
    if ASCII.isDigit(byte) { return Int(byte - UInt8(ascii: "0")) }
    if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") {
      return Int(byte - UInt8(ascii: "A")) + 10
    }
    return 0
  }

  /// The PAN in characters 3–12, when they form one (TDS and UIN numbers embed none).
  public static func embeddedPAN(_ value: String) -> String? {
    let bytes = value.utf8
    guard bytes.count == 15 else { return nil }
    let candidate = bytes.dropFirst(2).prefix(10)
    guard PAN.hasShape(candidate), PAN.holderType(of: candidate) != nil else { return nil }
    return String(decoding: candidate, as: UTF8.self)
  }

  /// The state or territory named by the code, for a valid GSTIN.
  public static func stateName(_ value: String) -> String? {
    var digits = value.utf8.prefix(2).makeIterator()
    guard let tens = digits.next(), let units = digits.next(), ASCII.isDigit(tens),
      ASCII.isDigit(units)
    else { return nil }
    return stateNamesByNumber[Int(tens - UInt8(ascii: "0")) * 10 + Int(units - UInt8(ascii: "0"))]
  }

  /// `stateCodes` as an array indexed by the code's number, for looking codes up by their digits.
  private static let stateNamesByNumber: [String?] = (0..<100).map { number in
    stateCodes[number < 10 ? "0\(number)" : "\(number)"]
  }
}
