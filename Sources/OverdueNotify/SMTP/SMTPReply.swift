/// One complete SMTP reply: a code and its text lines (several for `250-…` replies).
struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
  var code: Int
  var lines: [String]

  var isPositiveCompletion: Bool { (200..<300).contains(code) }
  var isTransientFailure: Bool { (400..<500).contains(code) }
  var isPermanentFailure: Bool { (500..<600).contains(code) }

  /// `250 2.0.0 Ok: queued as 1234`; the lines of a multi-line reply joined by spaces.
  var description: String {
    let text = lines.map { $0.trimmingSpaces() }.filter { !$0.isEmpty }.joined(separator: " ")
    return text.isEmpty ? "\(code)" : "\(code) \(text)"
  }
}

extension String {
  fileprivate func trimmingSpaces() -> String {
    var scalars = Substring(self)
    while scalars.first == " " || scalars.first == "\t" { scalars.removeFirst() }
    while scalars.last == " " || scalars.last == "\t" { scalars.removeLast() }
    return String(scalars)
  }
}
