import Foundation

/// Amounts as people type and read them ("2500.50", "INR 2,500.50"), to and from minor units.
public enum MoneyText {
  /// Currencies whose minor unit is not 1/100.
  public static let exponents: [String: Int] = ["JPY": 0, "KRW": 0, "BHD": 3, "KWD": 3, "OMR": 3]

  public static func exponent(_ currency: String) -> Int { exponents[currency.uppercased()] ?? 2 }

  /// An amount that is not a plain decimal with at most the currency's decimals.
  public struct InvalidAmount: Error, CustomStringConvertible {
    public let description: String
  }

  /// Parses a decimal amount in major units into minor units of `currency`.
  public static func minor(_ text: String, currency: String) throws(InvalidAmount) -> Int64 {
    let exponent = exponent(currency)
    let cleaned = text.replacingOccurrences(of: ",", with: "").replacingOccurrences(
      of: "_", with: "")
    let parts = cleaned.split(separator: ".", omittingEmptySubsequences: false)
    guard (1...2).contains(parts.count), let whole = Int64(parts[0]), whole >= 0,
      parts.count == 1 || (parts[1].count <= exponent && parts[1].allSatisfy(\.isNumber))
    else {
      throw InvalidAmount(
        description:
          "an amount like 2500 or 2500.50 (\(currency) has \(exponent) decimals), got '\(text)'")
    }
    var fraction = parts.count == 2 ? String(parts[1]) : ""
    fraction += String(repeating: "0", count: exponent - fraction.count)
    var scale: Int64 = 1
    for _ in 0..<exponent { scale *= 10 }
    return whole * scale + (Int64(fraction) ?? 0)
  }

  /// "INR 2,500.50".
  public static func format(_ minor: Int64, _ currency: String) -> String {
    let exponent = exponent(currency)
    var scale: Int64 = 1
    for _ in 0..<exponent { scale *= 10 }
    let whole = String(abs(minor) / scale)
    var grouped = ""
    for (index, char) in whole.reversed().enumerated() {
      if index > 0 && index % 3 == 0 { grouped.append(",") }
      grouped.append(char)
    }
    let fraction = String(abs(minor) % scale)
    let fractionText =
      exponent == 0 ? "" : "." + String(repeating: "0", count: exponent - fraction.count) + fraction
    return "\(currency) \(minor < 0 ? "-" : "")\(String(grouped.reversed()))\(fractionText)"
  }
}
