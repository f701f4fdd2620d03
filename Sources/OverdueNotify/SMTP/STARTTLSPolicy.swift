/// Whether the SMTP channel upgrades its connections with STARTTLS before anything else.
public struct STARTTLSPolicy: Sendable, Hashable, CustomStringConvertible {
  private enum Value: String { case required, off }
  private let value: Value

  /// STARTTLS must be offered and succeed before credentials or mail are sent (the default).
  public static let required = STARTTLSPolicy(value: .required)
  /// Plain SMTP, never STARTTLS: only for a relay on the same host, or tests.
  public static let off = STARTTLSPolicy(value: .off)

  var isRequired: Bool { value == .required }
  public var description: String { value.rawValue }
}
