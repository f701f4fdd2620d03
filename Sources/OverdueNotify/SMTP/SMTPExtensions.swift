/// What a server offers in its reply to `EHLO` (RFC 5321 §4.1.1.1).
struct SMTPExtensions: Sendable, Hashable {
  var startTLS = false
  /// Upper-cased, e.g. `PLAIN`, `LOGIN`.
  var authMechanisms: Set<String> = []
  /// The largest message the server takes, when it says (`SIZE 0` means no limit is given).
  var maximumSize: Int?
  var eightBitMIME = false

  init() {}

  init(ehloReply: SMTPReply) {
    // The first line is the server's name and greeting, the rest one keyword each.
    for line in ehloReply.lines.dropFirst() {
      var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { $0.uppercased() }
      guard !words.isEmpty else { continue }
      var keyword = words.removeFirst()
      if keyword.hasPrefix("AUTH=") {
        // The pre-standard form some servers still send: `AUTH=LOGIN PLAIN`.
        words.insert(String(keyword.dropFirst(5)), at: 0)
        keyword = "AUTH"
      }
      switch keyword {
      case "STARTTLS": startTLS = true
      case "AUTH": authMechanisms.formUnion(words.filter { !$0.isEmpty })
      case "SIZE": maximumSize = words.first.flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
      case "8BITMIME": eightBitMIME = true
      default: break
      }
    }
  }
}
