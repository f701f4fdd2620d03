import Foundation

/// A member's webhook URL, checked when it is set and again before every call: `https`, a host
/// name or IP address, no user info, at most 2,000 characters.
public struct WebhookURL: Sendable, Hashable, CustomStringConvertible {
  public static let maximumLength = 2000

  /// The URL as given (and as it is requested).
  public let string: String
  /// The host as the HTTP client sees it: the name as the URL spells it, or an IP address
  /// without brackets.
  public let host: String
  public let port: Int

  /// Checks `string`; an IP-address host must also pass `policy` (names are checked when they
  /// are resolved, before each call).
  public init(_ string: String, policy: WebhookAddressPolicy = WebhookAddressPolicy())
    throws(WebhookURLError)
  {
    guard string.count <= Self.maximumLength else {
      throw WebhookURLError(.tooLong, "the URL is longer than \(Self.maximumLength) characters")
    }
    guard let url = URL(string: string), let scheme = url.scheme else {
      throw WebhookURLError(.malformed, "the URL is not a valid absolute URL")
    }
    guard scheme.lowercased() == "https" else {
      throw WebhookURLError(.notHTTPS, "the URL must use https, not \(scheme)")
    }
    guard url.user == nil, url.password == nil else {
      throw WebhookURLError(.userInfo, "the URL must not carry a user name or password")
    }
    guard var host = url.host, !host.isEmpty else {
      throw WebhookURLError(.missingHost, "the URL has no host")
    }
    if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    let port = url.port ?? 443
    guard (1...65535).contains(port) else {
      throw WebhookURLError(.malformed, "the port \(port) is out of range")
    }
    if let address = IPAddress(host) {
      if let scope = policy.refusal(of: address) {
        throw WebhookURLError(
          .disallowedAddress, "\(address) is a private address (\(scope)), not allowed")
      }
    } else if !Self.isHostName(host) {
      throw WebhookURLError(.malformed, "the host is neither a DNS name nor an IP address")
    }
    self.string = string
    // The HTTP client uses the URL's own host (its `dnsOverride` is keyed by it), so the host is
    // kept as the URL spells it; DNS names compare case-insensitively anyway.
    self.host = host
    self.port = port
  }

  /// Whether the host must be resolved before a call (it is a name, not an address).
  public var isHostName: Bool { IPAddress(host) == nil }

  public var description: String { string }

  /// LDH labels (and `_`, seen in real names), as ASCII: international names come as punycode.
  private static func isHostName(_ host: String) -> Bool {
    let labels = host.split(separator: ".", omittingEmptySubsequences: false)
    let lastIsEmpty = labels.last?.isEmpty == true
    let named = lastIsEmpty ? labels.dropLast() : labels[...]
    guard !named.isEmpty, host.utf8.count <= 253 else { return false }
    return named.allSatisfy { label in
      (1...63).contains(label.utf8.count) && label.first != "-" && label.last != "-"
        && label.utf8.allSatisfy { byte in
          (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a)
            || (byte >= 0x61 && byte <= 0x7a) || byte == 0x2d || byte == 0x5f
        }
    }
  }
}

/// Why a webhook URL is refused; `reason` is written for the member who set it.
public struct WebhookURLError: Error, Sendable, Hashable, CustomStringConvertible {
  /// What is wrong with the URL.
  public struct Code: Sendable, Hashable, CustomStringConvertible {
    private enum Wrapped: String, Sendable, Hashable {
      case malformed, notHTTPS, userInfo, missingHost, tooLong, disallowedAddress
    }
    private let wrapped: Wrapped
    private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

    public static let malformed = Code(.malformed)
    public static let notHTTPS = Code(.notHTTPS)
    public static let userInfo = Code(.userInfo)
    public static let missingHost = Code(.missingHost)
    public static let tooLong = Code(.tooLong)
    public static let disallowedAddress = Code(.disallowedAddress)

    public var description: String { wrapped.rawValue }
  }

  public var code: Code
  public var reason: String

  public init(_ code: Code, _ reason: String) {
    self.code = code
    self.reason = reason
  }

  public var description: String { reason }
}
