import Crypto
import Foundation

/// Why a message cannot be composed: a header value that would need a line break, or is not an
/// address. Nothing of such a message is sent.
struct MailCompositionError: Error, Hashable, CustomStringConvertible {
  var field: String
  var problem: String
  var description: String { "the \(field) \(problem)" }
}

/// Turns an `EmailMessage` into the RFC 5322 / MIME text that goes after `DATA`: the same bytes
/// on every attempt (the date and the boundary come from the message itself), CRLF line endings,
/// every line short and ASCII.
struct MailComposer: Sendable {
  /// The `From` address (also the envelope sender).
  var from: String

  func compose(_ message: EmailMessage) throws(MailCompositionError) -> String {
    if let problem = MailAddress.problem(with: from) {
      throw MailCompositionError(field: "sender address", problem: problem)
    }
    if let problem = MailAddress.problem(with: message.to) {
      throw MailCompositionError(field: "recipient address", problem: problem)
    }
    if let problem = Self.problem(withMessageId: message.messageId) {
      throw MailCompositionError(field: "message id", problem: problem)
    }
    let boundary = Self.boundary(for: message.messageId)
    var lines = [
      "Message-ID: <\(message.messageId)>",
      "Date: \(MailDate.format(message.date))",
      "From: \(from)",
      "To: \(message.to)",
      Self.subjectHeader(message.subject),
      "MIME-Version: 1.0",
      "Content-Type: multipart/alternative;",
      " boundary=\"\(boundary)\"",
      "",
      "--\(boundary)",
    ]
    lines += Self.part(contentType: "text/plain; charset=utf-8", body: message.text)
    lines.append("--\(boundary)")
    lines += Self.part(contentType: "text/html; charset=utf-8", body: message.html)
    lines.append("--\(boundary)--")
    return lines.joined(separator: "\r\n") + "\r\n"
  }

  /// A MIME boundary that is the same for every attempt of one message and cannot occur in
  /// base64 text (`=_` never does).
  static func boundary(for messageId: String) -> String {
    let digest = SHA256.hash(data: Data(messageId.utf8))
    return "=_overdue_" + digest.prefix(16).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
  }

  /// The `Subject` header, folded, with encoded-words when the text is not plain ASCII. Line
  /// breaks and other control characters in the subject become spaces: they never reach the wire.
  static func subjectHeader(_ subject: String) -> String {
    let name = "Subject: "
    let cleaned = String(
      String.UnicodeScalarView(
        subject.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    if EncodedWord.isPlainASCII(cleaned), let folded = fold(name + cleaned) {
      return folded
    }
    let words = EncodedWord.encode(cleaned, firstMaximumLength: 76 - name.count)
    return name + words.joined(separator: "\r\n ")
  }

  /// `header` folded before spaces into lines of at most 78 characters where it can be, or nil
  /// if some line would still be longer than RFC 5322's 998.
  static func fold(_ header: String) -> String? {
    var lines: [Substring] = []
    var rest = Substring(header)
    while rest.count > 78 {
      let head = rest.prefix(79)
      // Fold before a space, never at the very start of a line (that would leave it empty).
      let cut =
        head.dropFirst().lastIndex(of: " ")
        ?? rest.dropFirst().firstIndex(of: " ")
      guard let cut else { break }
      lines.append(rest[..<cut])
      rest = rest[cut...]
    }
    lines.append(rest)
    guard lines.allSatisfy({ $0.utf8.count <= 998 }) else { return nil }
    return lines.joined(separator: "\r\n")
  }

  private static func part(contentType: String, body: String) -> [String] {
    [
      "Content-Type: \(contentType)",
      "Content-Transfer-Encoding: base64",
      "",
    ] + base64Lines(Data(canonicalLineEndings(body).utf8))
  }

  /// Text in MIME's canonical form: every line break CRLF (RFC 2046 §4.1.1).
  static func canonicalLineEndings(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    var scalars = text.unicodeScalars.makeIterator()
    var next = scalars.next()
    while let scalar = next {
      next = scalars.next()
      switch scalar {
      case "\r":
        result += "\r\n"
        if next == "\n" { next = scalars.next() }
      case "\n":
        result += "\r\n"
      default:
        result.unicodeScalars.append(scalar)
      }
    }
    return result
  }

  /// Base64 in lines of 76 characters (RFC 2045 §6.8).
  static func base64Lines(_ data: Data) -> [String] {
    let encoded = data.base64EncodedString()
    guard !encoded.isEmpty else { return [] }
    var lines: [String] = []
    var start = encoded.startIndex
    while start < encoded.endIndex {
      let end = encoded.index(start, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
      lines.append(String(encoded[start..<end]))
      start = end
    }
    return lines
  }

  private static func problem(withMessageId id: String) -> String? {
    if id.isEmpty { return "is empty" }
    if id.utf8.count > 200 { return "is longer than 200 bytes" }
    guard
      id.utf8.allSatisfy({
        $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">")
      })
    else { return "contains a line break, a space, < or >, or a non-ASCII character" }
    return nil
  }
}

extension String {
  fileprivate func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
