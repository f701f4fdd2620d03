import Crypto
public import Foundation

/// Standard Webhooks 1.0 signatures: HMAC-SHA256 over `"\(id).\(timestamp).\(body)"`, sent in
/// `webhook-signature` as `v1,<base64>`, one per secret, separated by single spaces.
public enum WebhookSignature {
  /// The `webhook-signature` header value: a signature with each secret, in order.
  public static func header(
    id: String, timestamp: Int64, body: Data, secrets: [WebhookSecret]
  ) -> String {
    let content = signedContent(id: id, timestamp: timestamp, body: body)
    return secrets.map { "v1," + Data(mac(content, $0)).base64EncodedString() }
      .joined(separator: " ")
  }

  /// Whether one of the `v1` signatures in `header` was made with `secret` over this content
  /// (compared in constant time; other versions are skipped).
  public static func verify(
    header: String, id: String, timestamp: Int64, body: Data, secret: WebhookSecret
  ) -> Bool {
    let content = signedContent(id: id, timestamp: timestamp, body: body)
    let key = SymmetricKey(data: secret.keyBytes)
    for entry in header.split(separator: " ", omittingEmptySubsequences: true) {
      guard entry.hasPrefix("v1,"),
        let signature = Data(base64Encoded: String(entry.dropFirst(3)))
      else { continue }
      if HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: content, using: key) {
        return true
      }
    }
    return false
  }

  static func signedContent(id: String, timestamp: Int64, body: Data) -> Data {
    var content = Data("\(id).\(timestamp).".utf8)
    content.append(body)
    return content
  }

  private static func mac(_ content: Data, _ secret: WebhookSecret) -> [UInt8] {
    Array(HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: secret.keyBytes)))
  }
}
