public import Foundation

/// How the event log and the audit log write the instant a row was recorded (ISO 8601, UTC, with
/// milliseconds), and how it is read back.
public enum RecordedAt {
  static let format = Date.ISO8601FormatStyle().year().month().day().time(
    includingFractionalSeconds: true)

  /// The instant now, as a row records it.
  static func now() -> String { Date().formatted(format) }

  /// The instant a row's text names, or nil if it is not in the recorded form.
  public static func date(_ text: String) -> Date? { try? format.parse(text) }
}
