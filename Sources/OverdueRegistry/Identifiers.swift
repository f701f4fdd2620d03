public import Foundation

/// New ids for listings and members: time-ordered, so newer sorts later.
public enum Identifiers {
  public static func listing(at instant: Date) -> String { "L-" + stamp(instant) }
  public static func member(at instant: Date) -> String { "M-" + stamp(instant) }

  private static func stamp(_ instant: Date) -> String {
    let millis = UInt64(max(0, instant.timeIntervalSince1970 * 1000))
    let random = UInt32.random(in: 0...UInt32.max)
    return String(format: "%011llX%08X", millis, random)
  }
}
