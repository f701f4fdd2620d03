/// A failure below the level of a reply the server chose to give (no connection, a timeout, a
/// dropped connection, TLS, a reply that makes no sense) or an unusable reply before the mail
/// transaction. All of these are the relay's fault, so delivery says "try again later".
struct SMTPFailure: Error, Sendable, CustomStringConvertible {
  enum Code: Sendable, Hashable {
    case cannotConnect, timedOut, connectionClosed, tls, protocolViolation, refused
    case startTLSUnavailable, authentication
  }

  var code: Code
  /// What failed, with the server's reply code and text when there is one.
  var detail: String

  init(_ code: Code, _ detail: String) {
    self.code = code
    self.detail = detail
  }

  var description: String { detail }

  static func protocolViolation(_ reason: String) -> SMTPFailure {
    SMTPFailure(.protocolViolation, reason)
  }

  static func timedOut(waitingFor step: SMTPStep, after timeout: Duration) -> SMTPFailure {
    SMTPFailure(.timedOut, "timed out waiting for \(step.awaited) after \(seconds(timeout))")
  }

  static func connectionClosed(waitingFor step: SMTPStep) -> SMTPFailure {
    SMTPFailure(.connectionClosed, "the connection closed while waiting for \(step.awaited)")
  }

  /// A reply the dialogue cannot go on from, e.g. `554 no service (greeting)`.
  static func refused(_ reply: SMTPReply, at step: SMTPStep) -> SMTPFailure {
    SMTPFailure(.refused, "\(reply) (\(step == .greeting ? "greeting" : "reply to \(step)"))")
  }

  /// `error` as a failure at `step`, keeping it if it is one already.
  static func wrapping(_ error: any Error, at step: SMTPStep) -> SMTPFailure {
    SMTPBreakage(error).failure(at: step)
  }

  /// `30 s`, `0.5 s`.
  static func seconds(_ duration: Duration) -> String {
    let milliseconds =
      duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    if milliseconds % 1000 == 0 { return "\(milliseconds / 1000) s" }
    return "\(Double(milliseconds) / 1000) s"
  }

  /// `text` with control characters replaced, so a server cannot put line breaks into a detail.
  static func printable(_ text: String) -> String {
    String(
      String.UnicodeScalarView(
        text.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : $0 }))
  }
}

/// Delivery details as the outbox keeps them: printable, at most about 300 characters.
enum SMTPDetail {
  static let maximumLength = 300

  static func trimmed(_ detail: String) -> String {
    let clean = SMTPFailure.printable(detail)
    guard clean.count > maximumLength else { return clean }
    return String(clean.prefix(maximumLength - 1)) + "…"
  }
}
