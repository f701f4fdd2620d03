/// A point in the SMTP dialogue, named in delivery details ("the reply to RCPT").
enum SMTPStep: Sendable, Hashable, CustomStringConvertible {
  case connect, greeting, ehlo, startTLS, auth, mail, rcpt, data, endOfData, rset, quit

  var description: String {
    switch self {
    case .connect: "connect"
    case .greeting: "greeting"
    case .ehlo: "EHLO"
    case .startTLS: "STARTTLS"
    case .auth: "AUTH"
    case .mail: "MAIL"
    case .rcpt: "RCPT"
    case .data: "DATA"
    case .endOfData: "end of data"
    case .rset: "RSET"
    case .quit: "QUIT"
    }
  }

  /// What the client waits for at this step.
  var awaited: String { self == .greeting ? "the greeting" : "the reply to \(self)" }
}
