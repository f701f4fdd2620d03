public import Foundation
public import OverdueCore

/// The registry's notion of now and of today's date; injected so tests control time.
public struct RegistryClock: Sendable {
  public var now: @Sendable () -> Date
  public var timeZone: TimeZone

  public init(
    timeZone: TimeZone = TimeZone(identifier: "UTC")!,
    now: @escaping @Sendable () -> Date = { Date() }
  ) {
    self.now = now
    self.timeZone = timeZone
  }

  public var today: CalendarDate { CalendarDate(now(), in: timeZone) }

  /// Minutes since midnight now, in the registry's time zone (quiet hours are kept by it).
  public var minuteOfDay: Int {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = timeZone
    let parts = calendar.dateComponents([.hour, .minute], from: now())
    return (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
  }
}
