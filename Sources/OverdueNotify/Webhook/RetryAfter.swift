import Foundation

/// The `Retry-After` header (RFC 9110 §10.2.3): delta-seconds or an HTTP-date, capped.
enum RetryAfter {
  static let cap: Duration = .seconds(24 * 3600)

  /// The wait the value asks for, at most `cap`; zero for a date already past; nil when the
  /// value is neither form.
  static func delay(_ value: String, now: Date) -> Duration? {
    let value = value.trimmingCharacters(in: .whitespaces)
    if !value.isEmpty, value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
      // Digits only: anything too long for an Int is far beyond the cap.
      guard let seconds = Int(value), seconds < 24 * 3600 else { return cap }
      return .seconds(seconds)
    }
    guard let date = httpDate(value) else { return nil }
    let seconds = date.timeIntervalSince(now)
    guard seconds > 0 else { return .zero }
    guard seconds < 24 * 3600 else { return cap }
    return .seconds(Int(seconds.rounded(.up)))
  }

  private static let months = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
  ]

  /// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) and the obsolete RFC 850
  /// (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`) forms.
  static func httpDate(_ value: String) -> Date? {
    let words = value.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
    let day: Int?
    let month: String
    var year: Int?
    let time: String
    switch words.count {
    case 6 where words[5] == "GMT":  // IMF-fixdate
      (day, month, year, time) = (Int(words[1]), words[2], Int(words[3]), words[4])
    case 4 where words[3] == "GMT":  // RFC 850
      let parts = words[1].split(separator: "-").map(String.init)
      guard parts.count == 3, let shortYear = Int(parts[2]) else { return nil }
      // A two-digit year: 00–49 in this century, 50–99 in the last (the header is long obsolete).
      year = shortYear < 50 ? 2000 + shortYear : 1900 + shortYear
      (day, month, time) = (Int(parts[0]), parts[1], words[2])
    case 5:  // asctime
      (day, month, year, time) = (Int(words[2]), words[1], Int(words[4]), words[3])
    default:
      return nil
    }
    let clock = time.split(separator: ":").compactMap { Int($0) }
    guard let day, let year, clock.count == 3,
      let monthIndex = months.firstIndex(of: month.lowercased())
    else { return nil }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let components = DateComponents(
      year: year, month: monthIndex + 1, day: day, hour: clock[0], minute: clock[1],
      second: clock[2])
    guard components.isValidDate(in: calendar) else { return nil }
    return calendar.date(from: components)
  }
}
