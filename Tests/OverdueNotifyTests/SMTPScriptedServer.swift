import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import OverdueCertificates
import Synchronization

/// An SMTP server on 127.0.0.1 (port 0) that answers by a script and records every line clients
/// send, and whether it came over TLS.
final class ScriptedSMTPServer: Sendable {
  /// How the server behaves; every reply not scripted is the well-behaved default.
  struct Script: Sendable {
    var greeting = "220 scripted.test ESMTP"
    var offersSTARTTLS = true
    /// Advertised in EHLO (before and after TLS); empty for no AUTH line.
    var authMechanisms = ["PLAIN", "LOGIN"]
    /// Replies by command verb (`MAIL`, `RCPT`, `DATA`, `.` for the end of data, …), used in
    /// order for successive commands, the default after that.
    var replies: [String: [String]] = [:]
    /// Closes the connection on the first line of message data.
    var dropsInData = false
    /// Accepts connections and never sends a byte.
    var isSilent = false
    /// Stops answering (for good, on every connection) once this verb arrives.
    var silentFrom: String?
    /// Closes each connection right after accepting a message, as a server whose idle timer
    /// has run out.
    var closesAfterMessage = false
  }

  struct Line: Sendable, Equatable {
    var text: String
    var overTLS: Bool
  }

  private struct Record {
    var script: Script
    var lines: [Line] = []
    var connections = 0
    var messages: [String] = []
  }

  private let record: Mutex<Record>
  private let tls: NIOSSLContext?
  private let listener = Mutex<(any NIOCore.Channel)?>(nil)
  let port: Int

  private init(script: Script, tls: NIOSSLContext?, port: Int) {
    record = Mutex(Record(script: script))
    self.tls = tls
    self.port = port
  }

  /// Starts a server; `tls` is the certificate chain and key STARTTLS uses.
  static func start(
    _ script: Script = Script(), tls: ServerIdentity? = nil
  ) async throws -> ScriptedSMTPServer {
    let context = try tls.map { try $0.makeContext() }
    // The port is only known after binding, and the handlers need the server: bind a channel
    // whose handlers look the server up through a box filled right after.
    let box = ServerBox()
    let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(
            ScriptedSMTPHandler(server: box.server!))
        }
      }
    let channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
    let server = ScriptedSMTPServer(
      script: script, tls: context, port: channel.localAddress?.port ?? 0)
    box.server = server
    server.listener.withLock { $0 = channel }
    return server
  }

  func stop() async {
    let channel = listener.withLock { $0 }
    try? await channel?.close()
  }

  /// Every line received, in order, across all connections.
  var lines: [Line] { record.withLock { $0.lines } }
  /// The command lines (message data left out).
  var commands: [String] {
    var inData = false
    var result: [String] = []
    for line in lines.map(\.text) {
      if inData {
        if line == "." { inData = false }
        continue
      }
      result.append(line)
      if line.uppercased() == "DATA" { inData = true }
    }
    return result
  }
  var connections: Int { record.withLock { $0.connections } }
  /// Each accepted message as the server reads it (dots unstuffed, CRLF line endings).
  var messages: [String] { record.withLock { $0.messages } }

  fileprivate var tlsContext: NIOSSLContext? { tls }
  fileprivate var script: Script { record.withLock { $0.script } }
  fileprivate func silence() { record.withLock { $0.script.isSilent = true } }
  fileprivate func connected() { record.withLock { $0.connections += 1 } }
  fileprivate func received(_ line: Line) { record.withLock { $0.lines.append(line) } }
  fileprivate func accepted(_ message: String) { record.withLock { $0.messages.append(message) } }
  fileprivate func scriptedReply(for verb: String) -> String? {
    record.withLock { record in
      guard var queue = record.script.replies[verb], !queue.isEmpty else { return nil }
      let reply = queue.removeFirst()
      record.script.replies[verb] = queue
      return reply
    }
  }
}

private final class ServerBox: @unchecked Sendable {
  // Written once before the first connection can be accepted by a client of the test.
  var server: ScriptedSMTPServer?
}

/// A server certificate and key (PEM) from a test CA.
struct ServerIdentity: Sendable {
  var certificatePEM: String
  var privateKeyPEM: String

  func makeContext() throws -> NIOSSLContext {
    let configuration = TLSConfiguration.makeServerConfiguration(
      certificateChain: [
        .certificate(try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem))
      ],
      privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)))
    return try NIOSSLContext(configuration: configuration)
  }
}

/// A test CA, a server identity it signed, and the CA certificate in a temporary file.
struct TestPKI {
  var identity: ServerIdentity
  var caFile: String

  static func make(dnsNames: [String] = ["localhost"], ipAddresses: [String] = ["127.0.0.1"])
    throws -> TestPKI
  {
    let authority = try CertificateAuthority.create(commonName: "Overdue SMTP test CA")
    let issued = try authority.issueServerCertificate(dnsNames: dnsNames, ipAddresses: ipAddresses)
    let file = FileManager.default.temporaryDirectory
      .appendingPathComponent("overdue-smtp-ca-\(UUID().uuidString).pem").path
    try authority.certificatePEM.write(toFile: file, atomically: true, encoding: .utf8)
    return TestPKI(
      identity: ServerIdentity(
        certificatePEM: issued.certificatePEM, privateKeyPEM: issued.privateKeyPEM ?? ""),
      caFile: file)
  }

  func remove() { try? FileManager.default.removeItem(atPath: caFile) }
}

/// One connection of the scripted server.
private final class ScriptedSMTPHandler: ChannelInboundHandler {
  typealias InboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer

  private let server: ScriptedSMTPServer
  private var buffer = ByteBuffer()
  private var overTLS = false
  private var inData = false
  private var dataLines: [String] = []
  private var authLoginStage = 0
  private var closed = false

  init(server: ScriptedSMTPServer) {
    self.server = server
  }

  func channelActive(context: ChannelHandlerContext) {
    server.connected()
    if !server.script.isSilent {
      reply(server.scriptedReply(for: "greeting") ?? server.script.greeting, context: context)
    }
    context.fireChannelActive()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    var bytes = unwrapInboundIn(data)
    buffer.writeBuffer(&bytes)
    while !closed, let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
      let length = buffer.readableBytesView.distance(
        from: buffer.readableBytesView.startIndex, to: newline)
      var line = buffer.readString(length: length) ?? ""
      buffer.moveReaderIndex(forwardBy: 1)
      if line.hasSuffix("\r") { line.removeLast() }
      handle(line, context: context)
    }
  }

  private func handle(_ line: String, context: ChannelHandlerContext) {
    server.received(ScriptedSMTPServer.Line(text: line, overTLS: overTLS))
    let script = server.script
    if script.isSilent { return }
    if inData {
      if line == "." {
        inData = false
        server.accepted(dataLines.map { $0 + "\r\n" }.joined())
        dataLines = []
        reply(server.scriptedReply(for: ".") ?? "250 2.0.0 Ok: queued as 42", context: context)
        if script.closesAfterMessage { close(context) }
      } else if script.dropsInData {
        close(context)
      } else {
        dataLines.append(line.hasPrefix(".") ? String(line.dropFirst()) : line)
      }
      return
    }
    switch authLoginStage {
    case 1:
      authLoginStage = 2
      reply("334 UGFzc3dvcmQ6", context: context)
      return
    case 2:
      authLoginStage = 0
      reply("235 2.7.0 Authentication successful", context: context)
      return
    default: break
    }
    let words = line.split(separator: " ")
    let verb = words.first.map { $0.uppercased() } ?? ""
    if verb == script.silentFrom { server.silence() }
    if server.script.isSilent { return }
    if let scripted = server.scriptedReply(for: verb) {
      reply(scripted, context: context)
      if verb == "DATA" && scripted.hasPrefix("354") { inData = true }
      if scripted.hasPrefix("421") { close(context) }
      return
    }
    switch verb {
    case "EHLO":
      var lines = ["250-scripted.test greets you"]
      if script.offersSTARTTLS && !overTLS { lines.append("250-STARTTLS") }
      if !script.authMechanisms.isEmpty {
        lines.append("250-AUTH " + script.authMechanisms.joined(separator: " "))
      }
      lines.append("250-SIZE 10240000")
      lines.append("250 8BITMIME")
      reply(lines.joined(separator: "\r\n"), context: context)
    case "STARTTLS":
      guard let tls = server.tlsContext, !overTLS else {
        reply("454 4.7.0 TLS not available", context: context)
        return
      }
      reply("220 2.0.0 Ready to start TLS", context: context)
      try? context.pipeline.syncOperations.addHandler(
        NIOSSLServerHandler(context: tls), position: .first)
      overTLS = true
    case "AUTH":
      if words.count >= 2 && words[1].uppercased() == "LOGIN" {
        authLoginStage = 1
        reply("334 VXNlcm5hbWU6", context: context)
      } else {
        reply("235 2.7.0 Authentication successful", context: context)
      }
    case "MAIL", "RCPT", "RSET", "NOOP":
      reply("250 2.1.0 Ok", context: context)
    case "DATA":
      inData = true
      reply("354 End data with <CR><LF>.<CR><LF>", context: context)
    case "QUIT":
      reply("221 2.0.0 Bye", context: context)
      close(context)
    default:
      reply("502 5.5.2 Error: command not recognized", context: context)
    }
  }

  private func reply(_ text: String, context: ChannelHandlerContext) {
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
