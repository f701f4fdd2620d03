import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// An SMTP submission server on 127.0.0.1 (port 0) for `deliveries`: greeting, EHLO offering
/// STARTTLS and AUTH PLAIN LOGIN, STARTTLS, AUTH (any well-formed credentials), MAIL, RCPT and
/// DATA, every message accepted with `250` after its final dot and counted under its Message-ID.
/// Before TLS only EHLO, STARTTLS, NOOP, RSET and QUIT are accepted, and no mail before AUTH.
final class LocalSMTPServer: Sendable {
  let port: Int
  let tally: ReceiverTally
  private let listener: any NIOCore.Channel

  private init(group: any EventLoopGroup, tls: NIOSSLContext) async throws {
    let tally = ReceiverTally()
    self.tally = tally
    listener = try await ServerBootstrap(group: group)
      .serverChannelOption(.backlog, value: 256)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(
            SMTPServerSession(tls: tls, tally: tally))
        }
      }
      .bind(host: "127.0.0.1", port: 0)
      .get()
    guard let port = listener.localAddress?.port else {
      throw BenchError("the SMTP server has no bound port")
    }
    self.port = port
  }

  static func start(group: any EventLoopGroup, tls: NIOSSLContext) async throws -> LocalSMTPServer {
    try await LocalSMTPServer(group: group, tls: tls)
  }

  func stop() async { try? await listener.close() }
}

/// One connection's side of the dialogue.
private final class SMTPServerSession: ChannelInboundHandler {
  typealias InboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer

  private enum Expecting { case command, data, plainCredentials, loginUser, loginPassword }

  private static let name = "bench.overdue.local"
  private static let maximumCommandLength = 4096

  private let tls: NIOSSLContext
  private let tally: ReceiverTally
  private var buffer = ByteBuffer()
  private var expecting = Expecting.command
  private var overTLS = false
  private var authenticated = false
  private var hasSender = false
  private var recipients = 0
  private var inHeaders = false
  private var messageId = ""
  private var closed = false

  init(tls: NIOSSLContext, tally: ReceiverTally) {
    self.tls = tls
    self.tally = tally
  }

  func channelActive(context: ChannelHandlerContext) {
    tally.connected()
    reply("220 \(Self.name) ESMTP ready", context)
    context.fireChannelActive()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    var bytes = unwrapInboundIn(data)
    buffer.writeBuffer(&bytes)
    while !closed, let line = nextLine() {
      switch expecting {
      case .data: dataLine(line, context)
      default: commandLine(String(buffer: line), context)
      }
    }
    if !closed, expecting != .data, buffer.readableBytes > Self.maximumCommandLength {
      reply("500 5.5.2 Line too long", context)
      close(context)
    }
    if buffer.readerIndex > 65_536 { buffer.discardReadBytes() }
  }

  /// The next line without its CRLF, or nil until one is complete.
  private func nextLine() -> ByteBuffer? {
    let view = buffer.readableBytesView
    guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
    var line = buffer.readSlice(length: view.distance(from: view.startIndex, to: newline))!
    buffer.moveReaderIndex(forwardBy: 1)
    if line.readableBytesView.last == UInt8(ascii: "\r") {
      line.moveWriterIndex(to: line.writerIndex - 1)
    }
    return line
  }

  private func dataLine(_ line: ByteBuffer, _ context: ChannelHandlerContext) {
    let view = line.readableBytesView
    if view.count == 1, view.first == UInt8(ascii: ".") {
      tally.received(identity: messageId)
      resetTransaction()
      expecting = .command
      reply("250 2.0.0 Ok: queued", context)
      return
    }
    guard inHeaders else { return }
    if view.isEmpty {
      inHeaders = false
      return
    }
    let header = String(buffer: line)
    if header.lowercased().hasPrefix("message-id:") {
      messageId = header.dropFirst("message-id:".count)
        .trimmingCharacters(in: CharacterSet(charactersIn: " \t<>"))
    }
  }

  private func commandLine(_ line: String, _ context: ChannelHandlerContext) {
    switch expecting {
    case .plainCredentials:
      expecting = .command
      authenticate(plain: line, context)
      return
    case .loginUser:
      expecting = .loginPassword
      reply("334 UGFzc3dvcmQ6", context)
      return
    case .loginPassword:
      expecting = .command
      authenticated = Data(base64Encoded: line) != nil
      reply(authenticated ? "235 2.7.0 Authentication successful" : "501 5.5.2 Bad base64", context)
      return
    case .command, .data:
      break
    }
    let words = line.split(separator: " ", omittingEmptySubsequences: true)
    let verb = words.first.map { $0.uppercased() } ?? ""
    switch verb {
    case "EHLO":
      resetTransaction()
      var lines = ["250-\(Self.name) greets you"]
      if !overTLS { lines.append("250-STARTTLS") }
      lines += ["250-AUTH PLAIN LOGIN", "250-SIZE 10485760", "250 8BITMIME"]
      reply(lines.joined(separator: "\r\n"), context)
    case "STARTTLS":
      guard !overTLS else { return reply("503 5.5.1 TLS already active", context) }
      reply("220 2.0.0 Ready to start TLS", context)
      // Bytes sent after STARTTLS before the handshake would be read as if they came over TLS.
      guard buffer.readableBytes == 0 else { return close(context) }
      do {
        try context.pipeline.syncOperations.addHandler(
          NIOSSLServerHandler(context: tls), position: .first)
      } catch {
        return close(context)
      }
      overTLS = true
      authenticated = false
      resetTransaction()
    case "NOOP":
      reply("250 2.0.0 Ok", context)
    case "RSET":
      resetTransaction()
      reply("250 2.0.0 Ok", context)
    case "QUIT":
      reply("221 2.0.0 Bye", context)
      close(context)
    case _ where !overTLS:
      reply("530 5.7.0 Must issue a STARTTLS command first", context)
    case "AUTH":
      guard !authenticated else { return reply("503 5.5.1 Already authenticated", context) }
      switch words.dropFirst().first?.uppercased() {
      case "PLAIN" where words.count > 2:
        authenticate(plain: String(words[2]), context)
      case "PLAIN":
        expecting = .plainCredentials
        reply("334 ", context)
      case "LOGIN":
        expecting = .loginUser
        reply("334 VXNlcm5hbWU6", context)
      default:
        reply("504 5.5.4 Unrecognized authentication type", context)
      }
    case _ where !authenticated:
      reply("530 5.7.0 Authentication required", context)
    case "MAIL":
      guard !hasSender else { return reply("503 5.5.1 Sender already given", context) }
      hasSender = true
      reply("250 2.1.0 Ok", context)
    case "RCPT":
      guard hasSender else { return reply("503 5.5.1 Need MAIL first", context) }
      recipients += 1
      reply("250 2.1.5 Ok", context)
    case "DATA":
      guard recipients > 0 else { return reply("503 5.5.1 Need RCPT first", context) }
      expecting = .data
      inHeaders = true
      messageId = ""
      reply("354 End data with <CR><LF>.<CR><LF>", context)
    default:
      reply("502 5.5.2 Command not recognized", context)
    }
  }

  /// `AUTH PLAIN`: base64 of authorization identity, user and password, NUL-separated.
  private func authenticate(plain credentials: String, _ context: ChannelHandlerContext) {
    let parts = Data(base64Encoded: credentials)?.split(
      separator: 0, omittingEmptySubsequences: false)
    authenticated = parts?.count == 3
    reply(
      authenticated ? "235 2.7.0 Authentication successful" : "501 5.5.2 Cannot decode response",
      context)
  }

  private func resetTransaction() {
    hasSender = false
    recipients = 0
    inHeaders = false
  }

  private func reply(_ text: String, _ context: ChannelHandlerContext) {
    context.writeAndFlush(
      wrapOutboundOut(context.channel.allocator.buffer(string: text + "\r\n")), promise: nil)
  }

  private func close(_ context: ChannelHandlerContext) {
    closed = true
    context.close(promise: nil)
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    close(context)
  }
}
