import Foundation

/// A received message taken apart the way a mail reader would, to check what was composed.
struct ParsedMail {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  struct Part {
    var contentType: String?
    var transferEncoding: String?
    var body: String
  }

  var headers: [(name: String, value: String)]
  var body: String

  init(_ text: String) throws {
    guard let split = text.range(of: "\r\n\r\n") else {
      throw Failure(description: "no blank line after the headers")
    }
    headers = try Self.headers(String(text[..<split.lowerBound]))
    body = String(text[split.upperBound...])
  }

  func header(_ name: String) -> String? {
    headers.first { $0.name.lowercased() == name.lowercased() }?.value
  }

  /// The parts of a multipart body, base64 decoded as UTF-8.
  func parts() throws -> [Part] {
    guard let contentType = header("Content-Type"),
      let range = contentType.range(of: "boundary=\"")
    else { throw Failure(description: "no multipart boundary") }
    let boundary = contentType[range.upperBound...].prefix { $0 != "\"" }
    let sections = body.components(separatedBy: "--\(boundary)")
    // Before the first delimiter: the preamble; after the closing one: "--" and the epilogue.
    return try sections.dropFirst().dropLast().map { section in
      var text = section
      if text.hasPrefix("\r\n") { text.removeFirst() }
      let part = try ParsedMail(text)
      let encoded = part.body.components(separatedBy: "\r\n")
      guard encoded.allSatisfy({ $0.count <= 76 }) else {
        throw Failure(description: "a base64 line longer than 76 characters")
      }
      guard let data = Data(base64Encoded: encoded.joined()) else {
        throw Failure(description: "a part that is not base64")
      }
      return Part(
        contentType: part.header("Content-Type"),
        transferEncoding: part.header("Content-Transfer-Encoding"),
        body: String(decoding: data, as: UTF8.self))
    }
  }

  /// The text of RFC 2047 `=?UTF-8?B?…?=` words (the whitespace between them ignored).
  static func decodeEncodedWords(_ value: String) throws -> String {
    var bytes: [UInt8] = []
    for word in value.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
      guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?="), word.count <= 75,
        let data = Data(base64Encoded: String(word.dropFirst(10).dropLast(2)))
      else { throw Failure(description: "'\(word)' is not a UTF-8 B encoded-word") }
      // Each word must be whole characters on its own.
      guard String(validating: data, as: UTF8.self) != nil else {
        throw Failure(description: "'\(word)' splits a character")
      }
      bytes += data
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  private static func headers(_ block: String) throws -> [(name: String, value: String)] {
    var result: [(name: String, value: String)] = []
    for line in block.components(separatedBy: "\r\n") {
      if line.hasPrefix(" ") || line.hasPrefix("\t") {
        guard !result.isEmpty else { throw Failure(description: "a continuation line first") }
        result[result.count - 1].value += line
        continue
      }
      guard let colon = line.firstIndex(of: ":") else {
        throw Failure(description: "a header line without a colon: \(line)")
      }
      let value = line[line.index(after: colon)...].drop { $0 == " " }
      result.append((String(line[..<colon]), String(value)))
    }
    return result
  }
}
