import NIOCore

/// Cuts the bytes a server sends into complete replies (RFC 5321 §4.2): lines of `NNN-text`
/// continue a reply, `NNN text` (or a bare `NNN`) ends it. Bounded, so a hostile server cannot
/// make the client buffer without end.
struct SMTPReplyParser {
  static let maximumLineLength = 2048
  static let maximumLines = 200

  private var buffer = ByteBuffer()
  private var code: Int?
  private var lines: [String] = []

  /// Whether bytes of a reply not yet complete are held (they must not be after STARTTLS).
  var hasPendingBytes: Bool { buffer.readableBytes > 0 || code != nil }

  mutating func append(_ bytes: ByteBuffer) {
    if buffer.readableBytes == 0 {
      buffer.clear()
    } else if buffer.readerIndex > Self.maximumLineLength {
      buffer.discardReadBytes()
    }
    buffer.writeImmutableBuffer(bytes)
  }

  /// The next complete reply, or nil until more bytes arrive.
  mutating func nextReply() throws(SMTPFailure) -> SMTPReply? {
    while let line = try nextLine() {
      guard line.count >= 3,
        let first = Self.digit(line[0]), (2...5).contains(first),
        let second = Self.digit(line[1]), let third = Self.digit(line[2])
      else {
        throw .protocolViolation("the server sent a line that is not a reply: \(Self.quote(line))")
      }
      let lineCode = first * 100 + second * 10 + third
      let separator = line.count > 3 ? line[3] : UInt8(ascii: " ")
      guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
        throw .protocolViolation("the server sent a malformed reply line: \(Self.quote(line))")
      }
      if let code, code != lineCode {
        throw .protocolViolation(
          "the server changed the code within one reply (\(code), \(lineCode))")
      }
      lines.append(String(decoding: line.dropFirst(4), as: UTF8.self))
      guard lines.count <= Self.maximumLines else {
        throw .protocolViolation("the server sent a reply of more than \(Self.maximumLines) lines")
      }
      if separator == UInt8(ascii: "-") {
        code = lineCode
        continue
      }
      let reply = SMTPReply(code: lineCode, lines: lines)
      code = nil
      lines = []
      return reply
    }
    return nil
  }

  private mutating func nextLine() throws(SMTPFailure) -> [UInt8]? {
    let view = buffer.readableBytesView
    guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
      guard buffer.readableBytes <= Self.maximumLineLength else {
        throw .protocolViolation(
          "the server sent a line longer than \(Self.maximumLineLength) bytes")
      }
      return nil
    }
    let length = view.distance(from: view.startIndex, to: newline)
    guard length <= Self.maximumLineLength else {
      throw .protocolViolation("the server sent a line longer than \(Self.maximumLineLength) bytes")
    }
    var line = buffer.readBytes(length: length) ?? []
    buffer.moveReaderIndex(forwardBy: 1)
    if line.last == UInt8(ascii: "\r") { line.removeLast() }
    return line
  }

  private static func digit(_ byte: UInt8) -> Int? {
    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte - UInt8(ascii: "0")) : nil
  }

  private static func quote(_ line: [UInt8]) -> String {
    "'" + SMTPFailure.printable(String(decoding: line.prefix(80), as: UTF8.self)) + "'"
  }
}
