import Foundation

/// Whether a document's bytes are what its declared type says, by the type's magic bytes.
enum EvidenceContent {
  static let signatures: [String: [UInt8]] = [
    "application/pdf": Array("%PDF-".utf8),
    "image/png": [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
    "image/jpeg": [0xFF, 0xD8, 0xFF],
  ]

  static func matches(_ content: Data, contentType: String) -> Bool {
    guard let signature = signatures[contentType] else { return false }
    return content.starts(with: signature)
  }
}
