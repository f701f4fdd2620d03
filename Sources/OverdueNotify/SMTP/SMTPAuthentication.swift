import Foundation

/// `AUTH PLAIN` when the server offers it, else `AUTH LOGIN` (RFC 4954, RFC 4616).
enum SMTPAuthentication {
  static func authenticate(
    _ connection: SMTPConnection, extensions: SMTPExtensions, username: String, password: String
  ) async throws(SMTPFailure) {
    if extensions.authMechanisms.contains("PLAIN") {
      let reply = try await connection.send(
        "AUTH PLAIN " + base64("\u{0}\(username)\u{0}\(password)"), step: .auth)
      guard reply.code == 235 else { throw refused(reply) }
    } else if extensions.authMechanisms.contains("LOGIN") {
      var reply = try await connection.send("AUTH LOGIN", step: .auth)
      guard reply.code == 334 else { throw refused(reply) }
      reply = try await connection.send(base64(username), step: .auth)
      guard reply.code == 334 else { throw refused(reply) }
      reply = try await connection.send(base64(password), step: .auth)
      guard reply.code == 235 else { throw refused(reply) }
    } else if extensions.authMechanisms.isEmpty {
      throw SMTPFailure(
        .authentication, "the server offers no AUTH, but a user is configured; nothing was sent")
    } else {
      let offered = extensions.authMechanisms.sorted().joined(separator: " ")
      throw SMTPFailure(
        .authentication, "the server offers neither AUTH PLAIN nor LOGIN (only \(offered))")
    }
  }

  private static func base64(_ text: String) -> String {
    Data(text.utf8).base64EncodedString()
  }

  private static func refused(_ reply: SMTPReply) -> SMTPFailure {
    SMTPFailure(.authentication, "authentication refused: \(reply) (reply to AUTH)")
  }
}
