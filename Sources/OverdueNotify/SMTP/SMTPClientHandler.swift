import NIOCore
import NIOSSL

/// A command for the connection and the reply it waits for. A request without `command` only
/// waits (the greeting); one with `tlsUpgrade` puts TLS in front of the connection as soon as a
/// 2xx reply arrives, before any further byte is read.
struct SMTPRequest: Sendable {
  var command: ByteBuffer?
  var step: SMTPStep
  var timeout: Duration
  var tlsUpgrade: SMTPTLSUpgrade?
  var reply: EventLoopPromise<SMTPReply>
}

/// What STARTTLS needs to add the TLS handler.
struct SMTPTLSUpgrade: Sendable {
  var context: NIOSSLContext
  /// The SNI and verification name; nil for an IP literal, which is then verified against the
  /// peer's address.
  var serverHostname: String?
}

/// Writes commands and completes each with the next whole reply, or fails it on timeout, on a
/// dropped connection, on a TLS error or on a reply that is not SMTP. After any such failure
/// the connection is closed and every later request fails at once, naming the first cause.
final class SMTPClientHandler: ChannelDuplexHandler {
  typealias InboundIn = ByteBuffer
  typealias OutboundIn = SMTPRequest
  typealias OutboundOut = ByteBuffer

  private struct Waiter {
    var request: SMTPRequest
    var timeout: Scheduled<Void>?
  }

  private let breakage: SMTPBreakageRecord
  private var parser = SMTPReplyParser()
  private var waiters: [Waiter] = []
  /// Replies that came before anything waited for them (normally just the greeting).
  private var early: [SMTPReply] = []

  init(breakage: SMTPBreakageRecord) {
    self.breakage = breakage
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    let request = unwrapOutboundIn(data)
    if let broken = breakage.breakage {
      let failure = broken.failure(at: request.step)
      request.reply.fail(failure)
      promise?.fail(failure)
      return
    }
    if !early.isEmpty {
      let reply = early.removeFirst()
      if request.command == nil {
        request.reply.succeed(reply)
        promise?.succeed(())
        return
      }
      // A reply nobody asked for, e.g. `421 closing` after an idle time: the connection is done.
      let failure = SMTPFailure.refused(reply, at: request.step)
      request.reply.fail(failure)
      promise?.fail(failure)
      fail(.failure(failure), context: context)
      return
    }
    let timeout = request.timeout
    let scheduled = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) {
      self.fail(.timedOut(after: timeout), context: context)
    }
    waiters.append(Waiter(request: request, timeout: scheduled))
    if let command = request.command {
      context.writeAndFlush(wrapOutboundOut(command), promise: promise)
    } else {
      promise?.succeed(())
    }
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    guard breakage.breakage == nil else { return }
    parser.append(unwrapInboundIn(data))
    do {
      while breakage.breakage == nil, let reply = try parser.nextReply() {
        handle(reply, context: context)
      }
    } catch {
      fail(.failure(error), context: context)
    }
  }

  private func handle(_ reply: SMTPReply, context: ChannelHandlerContext) {
    guard !waiters.isEmpty else {
      early.append(reply)
      if early.count > 2 {
        fail(
          .failure(.protocolViolation("the server sent replies nobody asked for")), context: context
        )
      }
      return
    }
    let waiter = waiters.removeFirst()
    waiter.timeout?.cancel()
    if let upgrade = waiter.request.tlsUpgrade, reply.isPositiveCompletion {
      // Bytes after the STARTTLS reply would be read as if they had come over TLS: refuse them
      // (the STARTTLS command injection of CVE-2011-0411 and its kin).
      guard !parser.hasPendingBytes, waiters.isEmpty else {
        let failure = SMTPFailure.protocolViolation(
          "the server sent more data after its STARTTLS reply")
        waiter.request.reply.fail(failure)
        fail(.failure(failure), context: context)
        return
      }
      do {
        let tls = try NIOSSLClientHandler(
          context: upgrade.context, serverHostname: upgrade.serverHostname)
        try context.pipeline.syncOperations.addHandler(tls, position: .first)
      } catch {
        let failure = SMTPFailure(.tls, "TLS could not start: \(error)")
        waiter.request.reply.fail(failure)
        fail(.failure(failure), context: context)
        return
      }
    }
    waiter.request.reply.succeed(reply)
  }

  func channelInactive(context: ChannelHandlerContext) {
    fail(.closed, context: context)
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    fail(SMTPBreakage(error), context: context)
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    let broken = breakage.record(.closed)
    failWaiters(broken)
  }

  /// Records the first breakage, fails every waiting request with it and closes the connection.
  private func fail(_ cause: SMTPBreakage, context: ChannelHandlerContext) {
    let isFirst = breakage.breakage == nil
    let broken = breakage.record(cause)
    // Waiters first: closing runs channelInactive at once.
    failWaiters(broken)
    if isFirst { context.close(promise: nil) }
  }

  private func failWaiters(_ broken: SMTPBreakage) {
    let pending = waiters
    waiters = []
    for waiter in pending {
      waiter.timeout?.cancel()
      waiter.request.reply.fail(broken.failure(at: waiter.request.step))
    }
  }
}
