import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A webhook receiver on 127.0.0.1 (port 0) for `deliveries`: HTTPS with HTTP/1.1 keep-alive,
/// `204` to every POST (`405` to anything else), each call counted under its `webhook-id`.
final class LocalWebhookReceiver: Sendable {
  let port: Int
  let tally: ReceiverTally
  private let listener: any NIOCore.Channel

  private init(group: any EventLoopGroup, tls: NIOSSLContext) async throws {
    let tally = ReceiverTally()
    self.tally = tally
    listener = try await ServerBootstrap(group: group)
      .serverChannelOption(.backlog, value: 256)
      .childChannelInitializer { channel in
        tally.connected()
        return channel.eventLoop.makeCompletedFuture {
          let pipeline = channel.pipeline.syncOperations
          try pipeline.addHandler(NIOSSLServerHandler(context: tls))
          try pipeline.configureHTTPServerPipeline()
          try pipeline.addHandler(WebhookCallHandler(tally: tally))
        }
      }
      .bind(host: "127.0.0.1", port: 0)
      .get()
    guard let port = listener.localAddress?.port else {
      throw BenchError("the webhook receiver has no bound port")
    }
    self.port = port
  }

  static func start(group: any EventLoopGroup, tls: NIOSSLContext) async throws
    -> LocalWebhookReceiver
  {
    try await LocalWebhookReceiver(group: group, tls: tls)
  }

  var url: String { "https://127.0.0.1:\(port)/overdue/webhooks" }

  func stop() async { try? await listener.close() }
}

/// Answers each request once its body has arrived, keeping the connection open unless the
/// client asked to close it.
private final class WebhookCallHandler: ChannelInboundHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = HTTPServerResponsePart

  private let tally: ReceiverTally
  private var head: HTTPRequestHead?

  init(tally: ReceiverTally) { self.tally = tally }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(let head):
      self.head = head
    case .body:
      break
    case .end:
      guard let head else { return }
      self.head = nil
      let status: HTTPResponseStatus
      if head.method == .POST {
        tally.received(identity: head.headers.first(name: "webhook-id") ?? "")
        status = .noContent
      } else {
        status = .methodNotAllowed
      }
      var headers = HTTPHeaders()
      if status != .noContent { headers.add(name: "content-length", value: "0") }
      if !head.isKeepAlive { headers.add(name: "connection", value: "close") }
      context.write(
        wrapOutboundOut(
          .head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
        promise: nil)
      let keepAlive = head.isKeepAlive
      context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
        if !keepAlive { context.close(promise: nil) }
      }
    }
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    context.close(promise: nil)
  }
}
