import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import OverdueCertificates
import Synchronization

/// A webhook receiver for tests: HTTPS (NIOSSL, HTTP/1.1) on 127.0.0.1 and an ephemeral port,
/// with a certificate from a CA made here (by default for `webhook.test`, `localhost` and
/// 127.0.0.1). It records every request and answers from a script.
struct WebhookTestReceiver {
  /// How the receiver answers one request.
  enum Reply: Sendable {
    case status(Int, headers: [(String, String)] = [], delay: Duration = .zero, body: String = "")
    /// Reads the request and never answers.
    case silent
  }

  struct Request: Sendable {
    var method: HTTPMethod
    var uri: String
    var headers: HTTPHeaders
    var body: Data
  }

  /// What the receiver has seen, shared with its channel handlers.
  final class Log: Sendable {
    private struct State {
      var script: [Reply]
      var otherwise: Reply
      var requests: [Request] = []
      var connections = 0
      var inFlight = 0
      var maxInFlight = 0
    }

    private let state: Mutex<State>

    init(script: [Reply], otherwise: Reply) {
      state = Mutex(State(script: script, otherwise: otherwise))
    }

    func connected() { state.withLock { $0.connections += 1 } }

    /// Records a request and gives the scripted reply.
    func received(_ request: Request) -> Reply {
      state.withLock {
        $0.requests.append(request)
        $0.inFlight += 1
        $0.maxInFlight = max($0.maxInFlight, $0.inFlight)
        return $0.script.isEmpty ? $0.otherwise : $0.script.removeFirst()
      }
    }

    func answered() { state.withLock { $0.inFlight -= 1 } }

    var requests: [Request] { state.withLock { $0.requests } }
    var connections: Int { state.withLock { $0.connections } }
    var maxInFlight: Int { state.withLock { $0.maxInFlight } }
  }

  let port: Int
  /// The test CA's certificate, as a PEM file (for `extraTrustRootsPEMFile`).
  let caFile: String
  let log: Log
  private let channel: any NIOCore.Channel
  private let directory: URL

  /// Starts a receiver answering `script` in order, then `otherwise`, with a certificate for
  /// `dnsNames` and `ipAddresses`.
  static func start(
    _ script: [Reply] = [], otherwise: Reply = .status(200),
    dnsNames: [String] = ["webhook.test", "localhost"], ipAddresses: [String] = ["127.0.0.1"]
  ) async throws -> Self {
    let authority = try CertificateAuthority.create(commonName: "Webhook test CA")
    let identity = try authority.issueServerCertificate(
      dnsNames: dnsNames, ipAddresses: ipAddresses)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "overdue-webhook-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let caFile = directory.appendingPathComponent("ca.pem").path
    try authority.certificatePEM.write(toFile: caFile, atomically: true, encoding: .utf8)

    let tls = try NIOSSLContext(
      configuration: .makeServerConfiguration(
        certificateChain: [
          .certificate(
            try NIOSSLCertificate(bytes: Array(identity.certificatePEM.utf8), format: .pem))
        ],
        privateKey: .privateKey(
          try NIOSSLPrivateKey(bytes: Array(identity.privateKeyPEM!.utf8), format: .pem))))
    let log = Log(script: script, otherwise: otherwise)
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .childChannelInitializer { channel in
        log.connected()
        return channel.eventLoop.makeCompletedFuture {
          let pipeline = channel.pipeline.syncOperations
          try pipeline.addHandler(NIOSSLServerHandler(context: tls))
          try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: false)
          try pipeline.addHandler(Handler(log: log))
        }
      }
      .bind(host: "127.0.0.1", port: 0)
      .get()
    return Self(
      port: channel.localAddress!.port!, caFile: caFile, log: log, channel: channel,
      directory: directory)
  }

  func url(_ path: String = "/hooks", host: String = "127.0.0.1") -> String {
    "https://\(host):\(port)\(path)"
  }

  func stop() async throws {
    try await channel.close()
    try? FileManager.default.removeItem(at: directory)
  }

  /// Starts a receiver, runs `body`, stops the receiver.
  static func with<T>(
    _ script: [Reply] = [], otherwise: Reply = .status(200),
    dnsNames: [String] = ["webhook.test", "localhost"], ipAddresses: [String] = ["127.0.0.1"],
    _ body: (WebhookTestReceiver) async throws -> T
  ) async throws -> T {
    let receiver = try await start(
      script, otherwise: otherwise, dnsNames: dnsNames, ipAddresses: ipAddresses)
    do {
      let value = try await body(receiver)
      try await receiver.stop()
      return value
    } catch {
      try? await receiver.stop()
      throw error
    }
  }

  private final class Handler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let log: Log
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    init(log: Log) { self.log = log }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      switch unwrapInboundIn(data) {
      case .head(let head):
        self.head = head
        body.clear()
      case .body(var chunk):
        body.writeBuffer(&chunk)
      case .end:
        guard let head else { return }
        let reply = log.received(
          Request(
            method: head.method, uri: head.uri, headers: head.headers,
            body: Data(body.readableBytesView)))
        guard case .status(let code, let extra, let delay, let text) = reply else { return }
        let respond = {
          var headers = HTTPHeaders(extra)
          headers.replaceOrAdd(name: "content-length", value: String(text.utf8.count))
          let status = HTTPResponseStatus(statusCode: code)
          context.write(
            self.wrapOutboundOut(
              .head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
            promise: nil)
          if !text.isEmpty {
            context.write(
              self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
          }
          context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
          self.log.answered()
        }
        if delay == .zero {
          respond()
        } else {
          context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(delay)) { respond() }
        }
      }
    }
  }
}
