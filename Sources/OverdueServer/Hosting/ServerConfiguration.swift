public import Foundation
public import OverdueCore
public import OverdueNotify
public import OverdueRegistry
public import OverdueStore

/// How `overdued` runs: where its data lives, where it listens, its certificates, limits and policy.
public struct ServerConfiguration: Sendable {
  /// A `host:port` to listen on; port 0 means any free port.
  public struct Address: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
      self.host = host
      self.port = port
    }

    /// Parses `host:port`.
    public init?(_ text: String) {
      guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
        (0...65535).contains(port)
      else {
        return nil
      }
      self.init(host: String(text[..<colon]), port: port)
    }

    public var description: String { "\(host):\(port)" }
  }

  /// Certificate and key files; nil fields fall back to the development PKI in `DATA/certs`.
  public struct TLSFiles: Sendable, Equatable {
    public var serverCertificate: String
    public var serverKey: String
    public var caCertificate: String
    public var caKey: String

    public init(serverCertificate: String, serverKey: String, caCertificate: String, caKey: String)
    {
      self.serverCertificate = serverCertificate
      self.serverKey = serverKey
      self.caCertificate = caCertificate
      self.caKey = caKey
    }
  }

  /// Transport limits, per listener.
  public struct Limits: Sendable, Equatable {
    /// Largest request message on the public listener (a batch message of 10,000 items fits).
    public var publicMaxRequestBytes = 1 << 20
    /// Largest request message on the member listener (filings carry evidence documents).
    public var memberMaxRequestBytes = 32 << 20
    /// Concurrent streams advertised per HTTP/2 connection.
    public var maxConcurrentStreams = 128
    /// A connection with no calls for this long is closed.
    public var connectionIdleTimeout: Duration = .seconds(300)
    /// A connection older than this is asked to reconnect (bounds per-connection state).
    public var connectionMaxAge: Duration = .seconds(3600)
    /// Calls still running this long after max age are cancelled.
    public var connectionMaxGrace: Duration = .seconds(30)
    /// Calls per client address on the public listener (nil: unlimited).
    public var publicRate: CallRate? = CallRate(perSecond: 200, burst: 400)
    /// Calls per member or operator on the member listener (nil: unlimited).
    public var memberRate: CallRate? = CallRate(perSecond: 50, burst: 100)
    /// Calls running at once on each listener (the public and the member listener each have
    /// their own); beyond it new calls get UNAVAILABLE.
    public var maxCallsInFlight = 1_000
    /// Calls running at once for one peer: a client address on the public listener, a member or
    /// operator on the member listener (streams included); beyond it RESOURCE_EXHAUSTED.
    public var maxCallsPerPeer = 64
    /// Long-lived streams (BatchCheck, Health.Watch) open at once for one peer.
    public var maxStreamsPerPeer = 8
    /// How long a call may run (long-lived streams excepted); a client deadline can only
    /// shorten it.
    public var callTimeLimit: Duration = .seconds(30)
    /// A BatchCheck answer message is closed once it holds this many bytes (results keep their
    /// order across messages); a client's default limit is 4 MiB.
    public var batchAnswerBytes = 1 << 20
    /// On shutdown: how long unary calls may go on finishing before whatever remains is cancelled.
    public var shutdownGrace: Duration = .seconds(10)

    public init() {}
  }

  public var dataDirectory: URL
  public var publicAddress = Address(host: "127.0.0.1", port: 7443)
  public var memberAddress = Address(host: "127.0.0.1", port: 7444)
  public var tlsFiles: TLSFiles?
  public var limits = Limits()
  public var policy = FilingPolicy.defaults
  public var clock = RegistryClock()
  /// How often the server's certificate and key files are read again (a renewed certificate is
  /// served to new connections without a restart).
  public var certificateReloadInterval: Duration = .seconds(60)
  /// How often the scheduler applies time-driven transitions (plan breaches, expiry).
  public var schedulerInterval: Duration = .seconds(60)
  /// Run on start, before serving, with the opened stores (the demo registry seeds an empty one).
  public var seed: (@Sendable (RegistrySeedContext) async throws -> Void)?
  /// How long a check with `min_sequence` waits for the read model before `UNAVAILABLE`.
  public var readYourWritesWait: Duration = .seconds(2)
  /// For tests: a seam that can make the event log's writes fail like a full or failing disk.
  public var storageFaults: StorageFaults?
  /// How many listed parties' rows checks keep in memory (0: read SQLite every time).
  public var cachedParties = 100_000
  /// Operator certificates (PEM files) to record at start, so that the registry knows them
  /// (a certificate it has no record of is refused) and can revoke them. The development
  /// operator's certificate is recorded without being named here.
  public var operatorCertificates: [String] = []
  /// Evidence bytes one member may file in all (documents of every filing and amendment).
  public var evidenceQuotaBytes: Int64 = 1 << 30
  /// How often an idle watch stream gets a progress message (the highest sequence scanned).
  public var watchProgressInterval: Duration = .seconds(15)
  /// Parties one member may watch.
  public var maxWatchedParties = 100_000
  /// Threads for synchronous SQLite work.
  public var storageThreads = 4
  /// The SMTP server e-mail leaves by (nil: every e-mail is recorded as undeliverable).
  public var smtp: SMTPConfiguration?
  /// How members' webhooks are called.
  public var webhooks = WebhookConfiguration.defaults
  /// What the registry's messages say about it (bank rate, Message-ID domain).
  public var notices = NoticePolicy()
  /// Messages being delivered at once.
  public var deliveryConcurrency = 64

  public init(dataDirectory: URL) {
    self.dataDirectory = dataDirectory
  }

  /// The defaults for a data directory, changed by `configure`.
  public static func defaults(
    dataDirectory: URL, _ configure: (inout ServerConfiguration) -> Void = { _ in }
  ) -> ServerConfiguration {
    var configuration = ServerConfiguration(dataDirectory: dataDirectory)
    configure(&configuration)
    return configuration
  }

  var certificatesDirectory: URL { dataDirectory.appendingPathComponent("certs") }
}
