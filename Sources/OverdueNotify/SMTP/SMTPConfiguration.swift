import Foundation

/// Where and how the SMTP channel sends e-mail, parsed from `smtp://USER:PASSWORD@HOST:PORT`.
public struct SMTPConfiguration: Sendable, Hashable, CustomStringConvertible {
  public var host: String
  /// 587 (submission) unless the URL names another.
  public var port: Int
  /// The AUTH user; nil means no AUTH.
  public var username: String?
  public var password: String?
  public var starttls: STARTTLSPolicy = .required
  /// The envelope sender and the `From` header address.
  public var from: String
  /// A PEM file of certificates trusted in addition to the system's roots.
  public var extraTrustRootsPEMFile: String?
  /// The name given in `EHLO`.
  public var heloName = "overdue.registry"
  /// The longest wait for a connection or for any one reply.
  public var stepTimeout: Duration = .seconds(30)
  /// How many connections are kept open at most.
  public var connections = 2
  /// How many messages one connection carries before it is closed and a new one opened.
  public var messagesPerConnection = 100

  /// Parses `url` (user and password percent-decoded, no user meaning no AUTH, port 587 by
  /// default); `configure` changes the other settings, which are then checked.
  public init(
    url: String, from: String, configure: (inout SMTPConfiguration) -> Void = { _ in }
  ) throws {
    let endpoint = try Self.parse(url: url)
    host = endpoint.host
    port = endpoint.port
    username = endpoint.username
    password = endpoint.password
    self.from = from
    configure(&self)
    try validate()
  }

  /// Throws if a setting cannot work (the channel checks again when it starts).
  public func validate() throws {
    if host.isEmpty || host.contains(where: { $0.isWhitespace || $0 == "/" }) {
      throw SMTPConfigurationError(.invalidURL, "the host '\(host)' is not a host name or address")
    }
    guard (1...65535).contains(port) else {
      throw SMTPConfigurationError(.invalidURL, "the port \(port) is not between 1 and 65535")
    }
    if password != nil && username == nil {
      throw SMTPConfigurationError(.invalidURL, "a password is given without a user")
    }
    if (username ?? "").utf8.contains(0) || (password ?? "").utf8.contains(0) {
      throw SMTPConfigurationError(.invalidURL, "the user or password contains a NUL character")
    }
    if let problem = MailAddress.problem(with: from) {
      throw SMTPConfigurationError(.invalidAddress, "the sender address '\(from)' \(problem)")
    }
    if heloName.isEmpty || heloName.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) {
      throw SMTPConfigurationError(
        .invalidSetting, "the HELO name '\(heloName)' is empty or not printable ASCII")
    }
    guard stepTimeout > .zero else {
      throw SMTPConfigurationError(.invalidSetting, "the step timeout must be positive")
    }
    guard connections >= 1 else {
      throw SMTPConfigurationError(.invalidSetting, "connections must be at least 1")
    }
    guard messagesPerConnection >= 1 else {
      throw SMTPConfigurationError(.invalidSetting, "messagesPerConnection must be at least 1")
    }
  }

  /// The settings with the password masked.
  public var description: String {
    let user = username.map { "\($0)\(password == nil ? "" : ":***")@" } ?? ""
    return
      "smtp://\(user)\(host):\(port) starttls=\(starttls) from=\(from) connections=\(connections)"
  }

  private struct Endpoint {
    var host: String
    var port: Int
    var username: String?
    var password: String?
  }

  private static func parse(url: String) throws -> Endpoint {
    guard let components = URLComponents(string: url) else {
      throw SMTPConfigurationError(
        .invalidURL,
        "'\(redacted(url))' is not a valid URL (percent-encode reserved characters in the user "
          + "and password)")
    }
    guard components.scheme?.lowercased() == "smtp" else {
      throw SMTPConfigurationError(
        .invalidURL,
        "the scheme must be smtp (STARTTLS on the submission port), not "
          + "'\(components.scheme ?? "none")'")
    }
    var host = components.host ?? ""
    if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    guard !host.isEmpty else {
      throw SMTPConfigurationError(.invalidURL, "the URL '\(redacted(url))' names no host")
    }
    guard components.path.isEmpty || components.path == "/", components.query == nil,
      components.fragment == nil
    else {
      throw SMTPConfigurationError(
        .invalidURL,
        "the URL '\(redacted(url))' has a path, query or fragment; an smtp URL has none")
    }
    let port = components.port ?? 587
    guard (1...65535).contains(port) else {
      throw SMTPConfigurationError(.invalidURL, "the port \(port) is not between 1 and 65535")
    }
    var username: String?
    var password: String?
    if let encodedUser = components.percentEncodedUser, !encodedUser.isEmpty {
      guard let user = encodedUser.removingPercentEncoding else {
        throw SMTPConfigurationError(.invalidURL, "the user is not validly percent-encoded")
      }
      username = user
    }
    if let encodedPassword = components.percentEncodedPassword {
      guard let decoded = encodedPassword.removingPercentEncoding else {
        throw SMTPConfigurationError(.invalidURL, "the password is not validly percent-encoded")
      }
      guard username != nil else {
        throw SMTPConfigurationError(.invalidURL, "the URL gives a password without a user")
      }
      password = decoded
    }
    if username != nil && password == nil {
      throw SMTPConfigurationError(
        .invalidURL, "the URL names user '\(username ?? "")' but no password")
    }
    return Endpoint(host: host, port: port, username: username, password: password)
  }

  /// `url` with anything between `//` and `@` masked, so an error never shows a password.
  private static func redacted(_ url: String) -> String {
    guard let start = url.range(of: "//"), let at = url.range(of: "@", options: .backwards),
      start.upperBound <= at.lowerBound
    else { return url }
    return url.replacingCharacters(in: start.upperBound..<at.lowerBound, with: "***")
  }
}
