import AsyncHTTPClient
import NIOCore
import NIOPosix
import NIOSSL

/// Names what went wrong when a call got no answer: all of it is worth another try later.
enum WebhookTransportFailure {
  static func detail(_ error: any Error, timeout: Duration) -> String {
    switch error {
    case let error as HTTPClientError:
      switch error {
      case .deadlineExceeded: return "timed out after \(spoken(timeout)) waiting for the response"
      case .connectTimeout: return "timed out connecting"
      case .tlsHandshakeTimeout: return "timed out in the TLS handshake"
      case .remoteConnectionClosed: return "the receiver closed the connection without answering"
      case .readTimeout, .writeTimeout: return "timed out on the connection"
      case .cancelled: return "cancelled"
      default: return "the request failed: \(error)"
      }
    case is NIOSSLError, is NIOSSLExtraError, is BoringSSLError:
      return "TLS failed: \(error)"
    case is NIOConnectionError, is IOError, is ChannelError:
      return "connection failed: \(error)"
    case is DeadlineExceeded:
      return "timed out after \(spoken(timeout))"
    case is CancellationError:
      return "cancelled"
    default:
      return "the request failed: \(error)"
    }
  }

  /// `15 s`, `500 ms`.
  static func spoken(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    if attoseconds == 0 { return "\(seconds) s" }
    return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000) ms"
  }
}
