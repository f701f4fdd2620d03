#if canImport(Darwin)
  import Darwin
#elseif canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// An IPv4 or IPv6 address, as the webhook address policy judges it.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
  /// 4 bytes for IPv4, 16 for IPv6, in network order.
  public let bytes: [UInt8]

  /// Parses the textual forms `inet_pton` accepts (dotted quad, RFC 4291 IPv6, no zone, no
  /// brackets); nil for anything else, including host names.
  public init?(_ text: String) {
    var v4 = in_addr()
    var v6 = in6_addr()
    if inet_pton(AF_INET, text, &v4) == 1 {
      bytes = withUnsafeBytes(of: &v4) { Array($0) }
    } else if inet_pton(AF_INET6, text, &v6) == 1 {
      bytes = withUnsafeBytes(of: &v6) { Array($0) }
    } else {
      return nil
    }
  }

  /// An address from 4 or 16 bytes in network order.
  public init?(bytes: [UInt8]) {
    guard bytes.count == 4 || bytes.count == 16 else { return nil }
    self.bytes = bytes
  }

  public var isIPv4: Bool { bytes.count == 4 }

  /// The canonical text (`inet_ntop`), e.g. `127.0.0.1`, `::ffff:127.0.0.1`, `fe80::1`.
  public var description: String {
    var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
    let family = isIPv4 ? AF_INET : AF_INET6
    let length = socklen_t(buffer.count)
    let text = bytes.withUnsafeBytes { source in
      buffer.withUnsafeMutableBufferPointer { target in
        inet_ntop(family, source.baseAddress, target.baseAddress, length)
      }
    }
    guard text != nil else { return "?" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// The IPv4 address an IPv6 address stands for, when it embeds one in a way that reaches
  /// that IPv4 address: IPv4-mapped (`::ffff:a.b.c.d`), IPv4-translated (`::ffff:0:a.b.c.d`),
  /// IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`) and 6to4 (`2002:aabb:ccdd::/48`).
  var embeddedIPv4: IPAddress? {
    guard !isIPv4 else { return nil }
    let head = bytes.prefix(12)
    let tail = Array(bytes.suffix(4))
    if head.prefix(10).allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
      return IPAddress(bytes: tail)
    }
    if head.prefix(8).allSatisfy({ $0 == 0 }) && bytes[8] == 0xff && bytes[9] == 0xff
      && bytes[10] == 0 && bytes[11] == 0
    {
      return IPAddress(bytes: tail)
    }
    if head.allSatisfy({ $0 == 0 }) && !(tail == [0, 0, 0, 0] || tail == [0, 0, 0, 1]) {
      return IPAddress(bytes: tail)
    }
    if bytes.prefix(4) == [0x00, 0x64, 0xff, 0x9b] && bytes[4..<12].allSatisfy({ $0 == 0 }) {
      return IPAddress(bytes: tail)
    }
    if bytes[0] == 0x20 && bytes[1] == 0x02 {
      return IPAddress(bytes: Array(bytes[2..<6]))
    }
    return nil
  }
}
