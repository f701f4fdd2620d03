/// The checks an address passes before it goes into an envelope command or a header: plain ASCII
/// `local@domain`, nothing that could end a line or the `<…>` around it.
enum MailAddress {
  /// Why `address` cannot be used, or nil when it can.
  static func problem(with address: String) -> String? {
    if address.isEmpty { return "is empty" }
    if address.utf8.count > 254 { return "is longer than 254 bytes" }
    for byte in address.utf8 {
      if byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") {
        return "contains a line break"
      }
      if byte < 0x21 || byte > 0x7E {
        return "contains a space, a control or a non-ASCII character"
      }
      if byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") { return "contains < or >" }
    }
    guard let at = address.utf8.lastIndex(of: UInt8(ascii: "@")),
      at != address.utf8.startIndex, address.utf8.index(after: at) != address.utf8.endIndex
    else { return "is not of the form local@domain" }
    return nil
  }
}
