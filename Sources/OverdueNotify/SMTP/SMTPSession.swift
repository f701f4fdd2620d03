import NIOCore
import NIOSSL

/// A connection through greeting, EHLO, STARTTLS and AUTH, ready for mail transactions.
struct SMTPSession: Sendable {
  let connection: SMTPConnection
  let extensions: SMTPExtensions
  /// Mail transactions begun on this connection.
  var transactions = 0

  /// Connects and runs the dialogue up to the first `MAIL FROM`. With `starttls == .required`
  /// nothing but EHLO and STARTTLS is sent before TLS is up, and credentials never go in clear.
  static func open(
    _ configuration: SMTPConfiguration, tls: NIOSSLContext?, group: any EventLoopGroup
  ) async throws(SMTPFailure) -> SMTPSession {
    let connection = try await SMTPConnection.connect(
      host: configuration.host, port: configuration.port, timeout: configuration.stepTimeout,
      group: group)
    do {
      let extensions = try await handshake(connection, configuration, tls: tls)
      return SMTPSession(connection: connection, extensions: extensions)
    } catch {
      await connection.close()
      throw error
    }
  }

  private static func handshake(
    _ connection: SMTPConnection, _ configuration: SMTPConfiguration, tls: NIOSSLContext?
  ) async throws(SMTPFailure) -> SMTPExtensions {
    let greeting = try await connection.send(nil, step: .greeting)
    guard greeting.code == 220 else { throw SMTPFailure.refused(greeting, at: .greeting) }
    var extensions = try await ehlo(connection, configuration.heloName)
    if configuration.starttls.isRequired {
      guard let tls else { throw SMTPFailure(.tls, "no TLS context for STARTTLS") }
      guard extensions.startTLS else {
        throw SMTPFailure(
          .startTLSUnavailable,
          "the server does not offer STARTTLS, which is required; no credentials or mail were sent"
        )
      }
      let upgrade = SMTPTLSUpgrade(
        context: tls, serverHostname: isIPAddress(configuration.host) ? nil : configuration.host)
      let reply = try await connection.send("STARTTLS", step: .startTLS, tlsUpgrade: upgrade)
      guard reply.isPositiveCompletion else {
        throw SMTPFailure(
          .startTLSUnavailable,
          "STARTTLS refused: \(reply) (reply to STARTTLS); no credentials or mail were sent")
      }
      extensions = try await ehlo(connection, configuration.heloName)
    }
    if let username = configuration.username {
      try await SMTPAuthentication.authenticate(
        connection, extensions: extensions, username: username,
        password: configuration.password ?? "")
    }
    return extensions
  }

  private static func ehlo(
    _ connection: SMTPConnection, _ name: String
  ) async throws(SMTPFailure) -> SMTPExtensions {
    let reply = try await connection.send("EHLO \(name)", step: .ehlo)
    guard reply.code == 250 else { throw SMTPFailure.refused(reply, at: .ehlo) }
    return SMTPExtensions(ehloReply: reply)
  }

  private static func isIPAddress(_ host: String) -> Bool {
    (try? SocketAddress(ipAddress: host, port: 0)) != nil
  }
}
