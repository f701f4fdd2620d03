import NIOCore
import NIOPosix

/// One TCP connection to the relay: sends a command and waits, bounded by the step timeout, for
/// its reply. Knows nothing of the dialogue's order.
final class SMTPConnection: Sendable {
  let channel: any NIOCore.Channel
  let timeout: Duration
  private let breakage: SMTPBreakageRecord

  private init(channel: any NIOCore.Channel, timeout: Duration, breakage: SMTPBreakageRecord) {
    self.channel = channel
    self.timeout = timeout
    self.breakage = breakage
  }

  /// Connects within `timeout`.
  static func connect(
    host: String, port: Int, timeout: Duration, group: any EventLoopGroup
  ) async throws(SMTPFailure) -> SMTPConnection {
    let breakage = SMTPBreakageRecord()
    let bootstrap = ClientBootstrap(group: group)
      .connectTimeout(TimeAmount(timeout))
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(SMTPClientHandler(breakage: breakage))
        }
      }
    do {
      let channel = try await bootstrap.connect(host: host, port: port).get()
      return SMTPConnection(channel: channel, timeout: timeout, breakage: breakage)
    } catch ChannelError.connectTimeout {
      throw SMTPFailure(
        .timedOut, "timed out connecting to \(host):\(port) after \(SMTPFailure.seconds(timeout))")
    } catch {
      throw SMTPFailure(
        .cannotConnect,
        "cannot connect to \(host):\(port): \(SMTPFailure.printable(String(describing: error)))")
    }
  }

  var isActive: Bool { channel.isActive }

  /// Sends `command` (CRLF added; nil sends nothing) and returns the reply.
  func send(
    _ command: String?, step: SMTPStep, tlsUpgrade: SMTPTLSUpgrade? = nil
  ) async throws(SMTPFailure) -> SMTPReply {
    try await exchange(
      command.map { channel.allocator.buffer(string: $0 + "\r\n") }, step: step,
      tlsUpgrade: tlsUpgrade)
  }

  /// Sends raw `bytes` (already complete lines) and returns the reply.
  func exchange(
    _ bytes: ByteBuffer?, step: SMTPStep, tlsUpgrade: SMTPTLSUpgrade? = nil
  ) async throws(SMTPFailure) -> SMTPReply {
    let reply = channel.eventLoop.makePromise(of: SMTPReply.self)
    let request = SMTPRequest(
      command: bytes, step: step, timeout: timeout, tlsUpgrade: tlsUpgrade, reply: reply)
    // A write that fails (a closed channel never reaches the handler) fails the reply too, with
    // what broke the connection first; completing a completed promise does nothing.
    channel.writeAndFlush(request).whenFailure { [breakage] error in
      reply.fail((breakage.breakage ?? SMTPBreakage(error)).failure(at: step))
    }
    do {
      return try await reply.futureResult.get()
    } catch {
      throw SMTPFailure.wrapping(error, at: step)
    }
  }

  /// `QUIT`, then close, whatever the server says.
  func quit() async {
    if channel.isActive { _ = try? await send("QUIT", step: .quit) }
    await close()
  }

  func close() async {
    try? await channel.close()
  }
}
