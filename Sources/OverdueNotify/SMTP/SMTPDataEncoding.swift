import NIOCore

/// The message text as it goes after `DATA` (RFC 5321 §4.5.2): every line break CRLF, a `.`
/// doubled at the start of a line, a final CRLF, then `.` CRLF to end it.
enum SMTPDataEncoding {
  static func encode(_ content: some Collection<UInt8>) -> [UInt8] {
    let cr = UInt8(ascii: "\r")
    let lf = UInt8(ascii: "\n")
    let dot = UInt8(ascii: ".")
    var output: [UInt8] = []
    output.reserveCapacity(content.count + content.count / 64 + 8)
    var atLineStart = true
    var previousWasCR = false
    for byte in content {
      if byte == lf && previousWasCR {
        // The LF of a CRLF already written.
        previousWasCR = false
        continue
      }
      previousWasCR = byte == cr
      if byte == cr || byte == lf {
        output.append(cr)
        output.append(lf)
        atLineStart = true
        continue
      }
      if atLineStart && byte == dot { output.append(dot) }
      output.append(byte)
      atLineStart = false
    }
    if !atLineStart { output += [cr, lf] }
    output += [dot, cr, lf]
    return output
  }

  static func encode(_ content: String, allocator: ByteBufferAllocator) -> ByteBuffer {
    allocator.buffer(bytes: encode(content.utf8))
  }
}
