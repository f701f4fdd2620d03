import Foundation

/// RFC 2047 encoded-words (`=?UTF-8?B?…?=`) for header text that is not plain ASCII.
enum EncodedWord {
  /// The longest encoded-word RFC 2047 allows.
  static let maximumLength = 75
  private static let prefix = "=?UTF-8?B?"
  private static let suffix = "?="

  /// Whether `text` can be written as it is: printable ASCII (and tabs) only, and nothing that
  /// a reader would take for an encoded-word.
  static func isPlainASCII(_ text: String) -> Bool {
    text.utf8.allSatisfy { ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x09 } && !text.contains("=?")
  }

  /// `text` as encoded-words of at most `maximumLength` characters (the first at most
  /// `firstMaximumLength`, to leave room for the header name), each a whole number of Unicode
  /// scalars as RFC 2047 requires.
  static func encode(_ text: String, firstMaximumLength: Int = maximumLength) -> [String] {
    var words: [String] = []
    var pending: [UInt8] = []
    func capacity() -> Int {
      let length = words.isEmpty ? firstMaximumLength : maximumLength
      // Base64 turns every 3 bytes into 4 characters.
      return max(1, (length - prefix.count - suffix.count) / 4) * 3
    }
    func flush() {
      guard !pending.isEmpty else { return }
      words.append(prefix + Data(pending).base64EncodedString() + suffix)
      pending.removeAll(keepingCapacity: true)
    }
    for scalar in text.unicodeScalars {
      let bytes = Array(String(scalar).utf8)
      if pending.count + bytes.count > capacity() { flush() }
      pending.append(contentsOf: bytes)
    }
    flush()
    return words
  }
}
