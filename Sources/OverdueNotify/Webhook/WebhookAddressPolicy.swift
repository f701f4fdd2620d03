/// Which IP addresses a webhook may be sent to: globally reachable ones only, unless
/// `allowPrivate` (for tests and closed networks), so that a member's URL cannot make the
/// registry call into its own network (SSRF).
public struct WebhookAddressPolicy: Sendable, Hashable {
  public var allowPrivate: Bool

  public init(allowPrivate: Bool = false) {
    self.allowPrivate = allowPrivate
  }

  /// Whether a call may go to `address`.
  public func allows(_ address: IPAddress) -> Bool {
    refusal(of: address) == nil
  }

  /// Whether a call may go to the address written as `text`; never for text that is not an
  /// IP address.
  public func allows(_ text: String) -> Bool {
    IPAddress(text).map(allows) ?? false
  }

  /// Nil when `address` may be called, otherwise the scope that forbids it.
  public func refusal(of address: IPAddress) -> IPAddressScope? {
    let scope = IPAddressScope(of: address)
    return allowPrivate || scope == .global ? nil : scope
  }
}

/// The kind of network an IP address belongs to, after the IANA special-purpose registries.
public struct IPAddressScope: Sendable, Hashable, CustomStringConvertible {
  private enum Kind: String, Sendable, Hashable {
    case global = "public"
    case loopback
    case unspecified
    case linkLocal = "link-local"
    case privateNetwork = "private"
    case sharedAddressSpace = "shared address space (CGNAT)"
    case multicast
    case broadcast
    case reserved
  }

  private let kind: Kind

  private init(_ kind: Kind) { self.kind = kind }

  public static let global = IPAddressScope(.global)
  public static let loopback = IPAddressScope(.loopback)
  public static let unspecified = IPAddressScope(.unspecified)
  public static let linkLocal = IPAddressScope(.linkLocal)
  public static let privateNetwork = IPAddressScope(.privateNetwork)
  public static let sharedAddressSpace = IPAddressScope(.sharedAddressSpace)
  public static let multicast = IPAddressScope(.multicast)
  public static let broadcast = IPAddressScope(.broadcast)
  /// Documentation, benchmarking, protocol-assignment and future-use ranges: never a webhook.
  public static let reserved = IPAddressScope(.reserved)

  public var description: String { kind.rawValue }

  /// The scope of `address`; an IPv6 address embedding an IPv4 one takes the IPv4 one's scope.
  public init(of address: IPAddress) {
    self = address.isIPv4 ? Self.ofIPv4(address.bytes) : Self.ofIPv6(address)
  }

  private static func ofIPv4(_ b: [UInt8]) -> IPAddressScope {
    switch (b[0], b[1], b[2]) {
    case (0, _, _): return .unspecified
    case (127, _, _): return .loopback
    case (10, _, _), (172, 16...31, _), (192, 168, _): return .privateNetwork
    case (169, 254, _): return .linkLocal
    case (100, 64...127, _): return .sharedAddressSpace
    case (224...239, _, _): return .multicast
    case (255, 255, 255) where b[3] == 255: return .broadcast
    case (240...255, _, _): return .reserved
    case (192, 0, 0), (192, 0, 2), (198, 18...19, _), (198, 51, 100), (203, 0, 113):
      return .reserved
    default: return .global
    }
  }

  private static func ofIPv6(_ address: IPAddress) -> IPAddressScope {
    let b = address.bytes
    if b.allSatisfy({ $0 == 0 }) { return .unspecified }
    if b.prefix(15).allSatisfy({ $0 == 0 }) && b[15] == 1 { return .loopback }
    if let v4 = address.embeddedIPv4 { return ofIPv4(v4.bytes) }
    switch (b[0], b[1]) {
    case (0xfe, 0x80...0xbf): return .linkLocal
    // Site-local (fec0::/10) is deprecated, but where it is still routed it is private.
    case (0xfe, 0xc0...0xff), (0xfc...0xfd, _): return .privateNetwork
    case (0xff, _): return .multicast
    default: break
    }
    // Local-use NAT64 (64:ff9b:1::/48) leads into a private network.
    if b.prefix(6) == [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01] { return .privateNetwork }
    // Discard-only (100::/64), documentation (2001:db8::/32), protocol assignments (2001::/23).
    if b.prefix(2) == [0x01, 0x00] && b[2..<8].allSatisfy({ $0 == 0 }) { return .reserved }
    if b.prefix(4) == [0x20, 0x01, 0x0d, 0xb8] { return .reserved }
    if b.prefix(2) == [0x20, 0x01] && b[2] < 0x02 { return .reserved }
    return .global
  }
}
