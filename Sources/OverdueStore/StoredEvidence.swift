public import Foundation

/// An evidence document's bytes as the write side keeps them, addressed by SHA-256.
public struct StoredEvidence: Sendable, Equatable {
  public var sha256Hex: String
  public var contentType: String
  public var content: Data

  public init(sha256Hex: String, contentType: String, content: Data) {
    self.sha256Hex = sha256Hex
    self.contentType = contentType
    self.content = content
  }
}
