import Crypto
import Foundation

/// A Standard Webhooks signing secret: `whsec_` and the base64 of 24 to 64 random bytes.
public struct WebhookSecret: Sendable, Hashable, CustomStringConvertible {
  public static let prefix = "whsec_"
  /// The key lengths Standard Webhooks 1.0 allows, in bytes.
  public static let keyLengths = 24...64

  /// The HMAC key.
  public let keyBytes: [UInt8]

  /// A secret from its key bytes (24 to 64 of them).
  public init(keyBytes: [UInt8]) throws(WebhookSecretError) {
    guard Self.keyLengths.contains(keyBytes.count) else {
      throw WebhookSecretError(
        reason: "a signing key has 24 to 64 bytes, not \(keyBytes.count)")
    }
    self.keyBytes = keyBytes
  }

  /// Parses `whsec_<base64>` back to its key bytes.
  public init(_ encoded: String) throws(WebhookSecretError) {
    guard encoded.hasPrefix(Self.prefix) else {
      throw WebhookSecretError(reason: "a signing secret starts with \(Self.prefix)")
    }
    guard let key = Data(base64Encoded: String(encoded.dropFirst(Self.prefix.count))) else {
      throw WebhookSecretError(reason: "a signing secret is whsec_ followed by base64")
    }
    try self.init(keyBytes: Array(key))
  }

  /// A new secret of 32 random bytes from the system's secure generator.
  public static func generate() -> WebhookSecret {
    let key = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    // 32 bytes is within `keyLengths`.
    return try! WebhookSecret(keyBytes: key)
  }

  /// `whsec_…`, the form stored and shown to the endpoint's owner once.
  public var encoded: String { Self.prefix + Data(keyBytes).base64EncodedString() }

  /// Redacted, so that logging a secret by accident does not leak it.
  public var description: String { "\(Self.prefix)…(redacted)" }
}

/// Why a string is not a signing secret; the reason never quotes the secret.
public struct WebhookSecretError: Error, Sendable, Hashable, CustomStringConvertible {
  public var reason: String
  public var description: String { reason }
}
