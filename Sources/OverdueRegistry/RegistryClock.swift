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
}
