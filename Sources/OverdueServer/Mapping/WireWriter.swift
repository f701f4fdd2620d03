/// Writes protobuf wire format field by field, for the few answers encoded without building
/// messages first. Like SwiftProtobuf, it leaves out proto3 defaults (empty strings, zeros) and
/// writes fields in the order it is given them, which callers keep to field-number order.
struct WireWriter {
  private(set) var bytes: [UInt8] = []

  /// A string field; nothing if the string is empty.
  mutating func string(_ field: UInt64, _ value: String) {
    guard !value.isEmpty else { return }
    tag(field, wireType: 2)
    varint(UInt64(value.utf8.count))
    bytes.append(contentsOf: value.utf8)
  }

  /// A varint field (integers, booleans, enums); nothing if it is zero.
  mutating func varint(_ field: UInt64, _ value: UInt64) {
    guard value != 0 else { return }
    tag(field, wireType: 0)
    varint(value)
  }

  /// A message field, written by `body`; present even when empty.
  mutating func message(_ field: UInt64, _ body: (inout WireWriter) throws -> Void) rethrows {
    tag(field, wireType: 2)
    let start = bytes.count
    try body(&self)
    let length = bytes.count - start
    if length < 0x80 {
      bytes.insert(UInt8(length), at: start)
    } else {
      var prefix = WireWriter()
      prefix.varint(UInt64(length))
      bytes.insert(contentsOf: prefix.bytes, at: start)
    }
  }

  /// Bytes that are already encoded fields (a message's serialized form).
  mutating func encoded(_ fields: [UInt8]) {
    bytes.append(contentsOf: fields)
  }

  private mutating func tag(_ field: UInt64, wireType: UInt64) {
    varint(field << 3 | wireType)
  }

  private mutating func varint(_ value: UInt64) {
    var rest = value
    while rest >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
      rest >>= 7
    }
    bytes.append(UInt8(rest))
  }
}
