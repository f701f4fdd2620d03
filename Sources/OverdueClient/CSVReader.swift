/// RFC 4180 CSV: fields separated by commas, optionally quoted (a quote inside quotes is doubled),
/// rows ended by LF or CRLF. A leading UTF-8 byte order mark is skipped, and empty lines are
/// skipped. Rows come out one at a time, each with the 1-based line it started on.
public struct CSVReader: Sequence, IteratorProtocol {
  private var bytes: [UInt8]
  private var position = 0
  private var line = 1

  public init(_ text: String) {
    var bytes = Array(text.utf8)
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
    self.bytes = bytes
  }

  /// Thrown for a quoted field that never closes.
  public struct UnterminatedQuote: Error, CustomStringConvertible {
    public let line: Int
    public var description: String { "line \(line): a quoted field is never closed" }
  }

  /// The next non-empty row and its line number; nil at the end. An unterminated quote ends the
  /// input with that row marked by `error`.
  public mutating func next() -> (line: Int, fields: [String], error: UnterminatedQuote?)? {
    while position < bytes.count {
      let startLine = line
      var fields: [String] = []
      var field: [UInt8] = []
      var quoted = false
      var rowEnded = false
      while position < bytes.count && !rowEnded {
        let byte = bytes[position]
        position += 1
        if quoted {
          if byte == UInt8(ascii: "\"") {
            if position < bytes.count && bytes[position] == UInt8(ascii: "\"") {
              field.append(byte)
              position += 1
            } else {
              quoted = false
            }
          } else {
            if byte == UInt8(ascii: "\n") { line += 1 }
            field.append(byte)
          }
          continue
        }
        switch byte {
        case UInt8(ascii: "\""): quoted = true
        case UInt8(ascii: ","):
          fields.append(String(decoding: field, as: UTF8.self))
          field.removeAll(keepingCapacity: true)
        case UInt8(ascii: "\n"):
          line += 1
          rowEnded = true
        case UInt8(ascii: "\r")
        where position < bytes.count && bytes[position] == UInt8(ascii: "\n"):
          break
        default: field.append(byte)
        }
      }
      fields.append(String(decoding: field, as: UTF8.self))
      if quoted { return (startLine, fields, UnterminatedQuote(line: startLine)) }
      if fields.count == 1 && fields[0].allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
      return (startLine, fields, nil)
    }
    return nil
  }
}
