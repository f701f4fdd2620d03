import NIOCore
import NIOSSL
import Synchronization

/// Why a connection became unusable, to be named in the failure of whichever step was waiting
/// or comes next.
enum SMTPBreakage: Sendable {
  case timedOut(after: Duration)
  case closed
  /// A TLS or socket error, already put into words.
  case error(String, isTLS: Bool)
  /// A failure that says it all (a protocol violation, an unasked-for `421`, TLS not starting).
  case failure(SMTPFailure)

  init(_ error: any Error) {
    if let failure = error as? SMTPFailure {
      self = .failure(failure)
    } else if error is ChannelError {
      self = .closed
    } else {
      let isTLS = error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError
      self = .error(SMTPFailure.printable(String(describing: error)), isTLS: isTLS)
    }
  }

  func failure(at step: SMTPStep) -> SMTPFailure {
    switch self {
    case .timedOut(let timeout): .timedOut(waitingFor: step, after: timeout)
    case .closed: .connectionClosed(waitingFor: step)
    case .error(let text, isTLS: true):
      SMTPFailure(.tls, "TLS failed while waiting for \(step.awaited): \(text)")
    case .error(let text, isTLS: false):
      SMTPFailure(
        .connectionClosed, "the connection failed while waiting for \(step.awaited): \(text)")
    case .failure(let failure): failure
    }
  }
}

/// The first breakage of one connection, shared by its handler (on the event loop) and the
/// code sending commands, whose writes fail plainly once the channel is closed.
final class SMTPBreakageRecord: Sendable {
  private let first = Mutex<SMTPBreakage?>(nil)

  var breakage: SMTPBreakage? { first.withLock { $0 } }

  /// Records `breakage` unless one is recorded already; returns the one that counts.
  @discardableResult
  func record(_ breakage: SMTPBreakage) -> SMTPBreakage {
    first.withLock { first in
      if let earlier = first { return earlier }
      first = breakage
      return breakage
    }
  }
}
