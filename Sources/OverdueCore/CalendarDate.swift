public import Foundation

/// A calendar day (no time, no zone), written `YYYY-MM-DD` on the wire.
public struct CalendarDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
  /// Days since 1970-01-01.
  public let dayNumber: Int

  public init(dayNumber: Int) { self.dayNumber = dayNumber }

  public init?(year: Int, month: Int, day: Int) {
    guard (1...9999).contains(year), (1...12).contains(month),
      (1...Self.daysInMonth(year: year, month: month)).contains(day)
    else { return nil }
    self.dayNumber = Self.days(year: year, month: month, day: day)
  }

  /// Parses exactly `YYYY-MM-DD`; anything else is nil.
  public init?(_ text: String) {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard text.utf8.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2,
      parts[2].count == 2,
      parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
      let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
    else { return nil }
    self.init(year: y, month: m, day: d)
  }

  /// The calendar day an instant falls on in a time zone.
  public init(_ instant: Date, in timeZone: TimeZone) {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = timeZone
    let c = calendar.dateComponents([.year, .month, .day], from: instant)
    self.dayNumber = Self.days(year: c.year!, month: c.month!, day: c.day!)
  }

  public var components: (year: Int, month: Int, day: Int) {
    // Howard Hinnant's civil_from_days.
    let z = dayNumber + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
  }

  public var description: String {
    let (y, m, d) = components
    guard (0...9999).contains(y) else { return paddedDescription(y, m, d) }
    // Written digit by digit: reports carry several dates per listing, and building this
    // from padded strings was a noticeable part of a listed party's report.
    return String(unsafeUninitializedCapacity: 10) { text in
      let zero = UInt8(ascii: "0")
      (text[0], text[1]) = (zero + UInt8(y / 1000), zero + UInt8(y / 100 % 10))
      (text[2], text[3]) = (zero + UInt8(y / 10 % 10), zero + UInt8(y % 10))
      text[4] = UInt8(ascii: "-")
      (text[5], text[6]) = (zero + UInt8(m / 10), zero + UInt8(m % 10))
      text[7] = UInt8(ascii: "-")
      (text[8], text[9]) = (zero + UInt8(d / 10), zero + UInt8(d % 10))
      return 10
    }
  }

  private func paddedDescription(_ y: Int, _ m: Int, _ d: Int) -> String {
    func pad(_ v: Int, _ width: Int) -> String {
      let s = String(v)
      return String(repeating: "0", count: max(0, width - s.count)) + s
    }
    return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
  }

  public func adding(days: Int) -> CalendarDate { CalendarDate(dayNumber: dayNumber + days) }

  /// The same month and day `years` later (29 February becomes 28 February in a common year).
  public func adding(years: Int) -> CalendarDate {
    let (y, m, d) = components
    let year = y + years
    return CalendarDate(
      dayNumber: Self.days(
        year: year, month: m, day: min(d, Self.daysInMonth(year: year, month: m))))
  }

  /// Whole days from `self` to `other` (positive when `other` is later).
  public func days(until other: CalendarDate) -> Int { other.dayNumber - dayNumber }

  public static func < (a: CalendarDate, b: CalendarDate) -> Bool { a.dayNumber < b.dayNumber }

  public init(from decoder: any Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    guard let date = CalendarDate(text) else {
      throw DecodingError.dataCorrupted(
        .init(codingPath: decoder.codingPath, debugDescription: "bad date \(text)"))
    }
    self = date
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }

  static func daysInMonth(year: Int, month: Int) -> Int {
    switch month {
    case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  static func days(year: Int, month: Int, day: Int) -> Int {
    // Howard Hinnant's days_from_civil.
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = month > 2 ? month - 3 : month + 9
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }
}
