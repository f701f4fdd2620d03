/// How the webhook channel calls members' endpoints.
public struct WebhookConfiguration: Sendable, Hashable {
  /// Allows private, loopback and other non-public addresses (tests, closed networks only).
  public var allowPrivate: Bool
  /// A PEM file of certificates trusted in addition to the system's roots.
  public var extraTrustRootsPEMFile: String?
  /// The bound on one whole attempt: waiting for a turn, resolving, connecting, the response.
  public var timeout: Duration
  /// Calls in flight to one endpoint (host and port) at most; later ones wait their turn.
  public var maxConcurrentPerEndpoint: Int
  /// HTTP clients kept (one per host and pinned address, each with its connection pool).
  public var maxCachedClients: Int

  private init() {
    allowPrivate = false
    extraTrustRootsPEMFile = nil
    timeout = .seconds(15)
    maxConcurrentPerEndpoint = 16
    maxCachedClients = 64
  }

  /// The defaults, changed by `configure`.
  public static func defaults(configure: (_ configuration: inout Self) -> Void = { _ in }) -> Self {
    var configuration = Self()
    configure(&configuration)
    return configuration
  }

  /// Public addresses only, system trust roots, 15 s, 16 calls per endpoint, 64 clients.
  public static var defaults: Self { .defaults() }
}

/// Why a webhook channel could not be made from its configuration.
public struct WebhookConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
  public var message: String
  public var description: String { message }
}
