import NIOCore
import NIOPosix

#if canImport(Darwin)
  import Darwin
#elseif canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Resolves a host name to every address a connection to it could go to.
protocol HostResolver: Sendable {
  func addresses(of host: String) async throws -> [IPAddress]
}

/// Why a host name did not resolve.
struct HostResolutionError: Error, CustomStringConvertible {
  var host: String
  var message: String
  var description: String { "\(host) does not resolve: \(message)" }
}

/// The system resolver (`getaddrinfo`), run on NIO's blocking thread pool so that a slow DNS
/// server never holds a thread of the cooperative pool.
struct SystemHostResolver: HostResolver {
  func addresses(of host: String) async throws -> [IPAddress] {
    let lookup = NIOThreadPool.singleton.runIfActive(
      eventLoop: MultiThreadedEventLoopGroup.singleton.any()
    ) { try Self.getaddrinfo(host) }
    // `getaddrinfo` cannot be interrupted: a cancelled (timed-out) caller stops waiting and the
    // thread finishes the lookup on its own.
    return try await AbandonableWait.value(of: lookup)
  }

  static func getaddrinfo(_ host: String) throws -> [IPAddress] {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    #if canImport(Darwin)
      hints.ai_socktype = SOCK_STREAM
    #else
      hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    #endif
    var list: UnsafeMutablePointer<addrinfo>?
    let status = host.withCString { name in
      #if canImport(Darwin)
        Darwin.getaddrinfo(name, nil, &hints, &list)
      #elseif canImport(Glibc)
        Glibc.getaddrinfo(name, nil, &hints, &list)
      #else
        Musl.getaddrinfo(name, nil, &hints, &list)
      #endif
    }
    guard status == 0 else {
      throw HostResolutionError(host: host, message: String(cString: gai_strerror(status)))
    }
    defer { freeaddrinfo(list) }
    var addresses: [IPAddress] = []
    var entry = list
    while let current = entry {
      if let socketAddress = current.pointee.ai_addr,
        let address = Self.address(socketAddress, family: current.pointee.ai_family),
        !addresses.contains(address)
      {
        addresses.append(address)
      }
      entry = current.pointee.ai_next
    }
    return addresses
  }

  private static func address(_ pointer: UnsafeMutablePointer<sockaddr>, family: Int32)
    -> IPAddress?
  {
    switch family {
    case AF_INET:
      return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
        var raw = $0.pointee.sin_addr
        return IPAddress(bytes: withUnsafeBytes(of: &raw) { Array($0) })
      }
    case AF_INET6:
      return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
        var raw = $0.pointee.sin6_addr
        return IPAddress(bytes: withUnsafeBytes(of: &raw) { Array($0) })
      }
    default:
      return nil
    }
  }
}
