/// Why an SMTP configuration was refused; `message` names what is wrong.
public struct SMTPConfigurationError: Error, Hashable, CustomStringConvertible {
  /// The kind of mistake.
  public struct Code: Sendable, Hashable, CustomStringConvertible {
    private enum Value: String {
      case invalidURL, invalidAddress, invalidSetting, invalidTrustRoots
    }
    private let value: Value

    /// The `smtp://…` URL cannot be used.
    public static let invalidURL = Code(value: .invalidURL)
    /// The sender address is not a plain `local@domain`.
    public static let invalidAddress = Code(value: .invalidAddress)
    /// A number or name out of range (timeout, pool size, HELO name).
    public static let invalidSetting = Code(value: .invalidSetting)
    /// The extra trust roots file cannot be read as PEM certificates.
    public static let invalidTrustRoots = Code(value: .invalidTrustRoots)

    public var description: String { value.rawValue }
  }

  public var code: Code
  public var message: String

  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { "\(code): \(message)" }
}
