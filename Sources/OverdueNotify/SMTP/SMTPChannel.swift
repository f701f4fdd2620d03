public import NIOCore
import NIOPosix
import NIOSSL

/// E-mail out through an SMTP relay: STARTTLS, AUTH, up to `connections` pooled connections
/// each carrying up to `messagesPerConnection` messages. Call `shutdown()` before dropping it.
public final class SMTPChannel: Channel {
  public typealias Message = EmailMessage

  public let configuration: SMTPConfiguration
  private let group: any EventLoopGroup
  private let tls: NIOSSLContext?
  private let composer: MailComposer
  let pool: SMTPConnectionPool

  /// On NIO's shared event loops; see `init(configuration:eventLoopGroup:)`.
  public convenience init(configuration: SMTPConfiguration) throws {
    try self.init(
      configuration: configuration, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
  }

  /// Checks `configuration` and loads the trust roots; opens no connection yet.
  public init(configuration: SMTPConfiguration, eventLoopGroup: any EventLoopGroup) throws {
    try configuration.validate()
    self.configuration = configuration
    self.group = eventLoopGroup
    composer = MailComposer(from: configuration.from)
    pool = SMTPConnectionPool(limit: configuration.connections)
    if configuration.starttls.isRequired {
      var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
      tlsConfiguration.trustRoots = .default
      if let file = configuration.extraTrustRootsPEMFile {
        tlsConfiguration.additionalTrustRoots = [.file(file)]
      }
      do {
        tls = try NIOSSLContext(configuration: tlsConfiguration)
      } catch {
        throw SMTPConfigurationError(
          .invalidTrustRoots,
          "cannot load trust roots (\(configuration.extraTrustRootsPEMFile ?? "system")): \(error)")
      }
    } else {
      tls = nil
    }
  }

  /// One attempt: composes the message, then one mail transaction on a pooled connection.
  public func deliver(_ message: EmailMessage) async -> DeliveryResult {
    let text: String
    do {
      text = try composer.compose(message)
    } catch {
      return .permanentFailure(detail: SMTPDetail.trimmed("cannot send: \(error)"))
    }
    return await deliver(data: text, to: message.to)
  }

  /// Sends already composed `data` (line breaks and leading dots are encoded here).
  func deliver(data: String, to recipient: String) async -> DeliveryResult {
    if let problem = MailAddress.problem(with: recipient) {
      return .permanentFailure(detail: "cannot send: the recipient address \(problem)")
    }
    let encoded = SMTPDataEncoding.encode(data, allocator: ByteBufferAllocator())
    // A second try only when a reused connection turns out stale before the server took anything.
    for attempt in 1...2 {
      let lease = await pool.lease()
      var session: SMTPSession
      let reused: Bool
      switch lease {
      case .shutDown:
        return .temporaryFailure(detail: "the SMTP channel is shut down", retryAfter: nil)
      case .cancelled:
        return .temporaryFailure(
          detail: "cancelled while waiting for a free SMTP connection", retryAfter: nil)
      case .reuse(let pooled):
        session = pooled
        reused = true
      case .open:
        do {
          session = try await SMTPSession.open(configuration, tls: tls, group: group)
        } catch {
          await pool.discard()
          return .temporaryFailure(detail: SMTPDetail.trimmed(error.detail), retryAfter: nil)
        }
        reused = false
      }
      let outcome = await session.transact(
        from: configuration.from, to: recipient, data: encoded)
      session.transactions += 1
      await release(session, reusable: outcome.connectionReusable)
      if reused && outcome.failedBeforeMail && attempt == 1 { continue }
      return outcome.result
    }
    preconditionFailure("the loop returns on its second attempt")
  }

  /// Quits idle connections, refuses new deliveries and waits for those under way.
  public func shutdown() async {
    let idle = await pool.beginShutdown()
    await withTaskGroup(of: Void.self) { group in
      for session in idle {
        group.addTask { await session.connection.quit() }
      }
    }
    for _ in idle { await pool.discard() }
    await pool.drained()
  }

  private func release(_ session: SMTPSession, reusable: Bool) async {
    if reusable && session.transactions < configuration.messagesPerConnection {
      if await pool.giveBack(session) { return }
    }
    if reusable {
      await session.connection.quit()
    } else {
      await session.connection.close()
    }
    await pool.discard()
  }
}
