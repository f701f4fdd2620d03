import Crypto
import Foundation

/// The hash that links a row of a hash-chained table (the event log, the audit log) to the row
/// before: SHA-256 of its fields, length-prefixed so that no two different rows serialise alike.
enum ChainHash {
  static func of(_ fields: [String]) -> String {
    let canonical = fields.map { "\($0.utf8.count):\($0)" }.joined(separator: "|")
    return SHA256.hash(data: Data(canonical.utf8)).map { String(format: "%02x", $0) }.joined()
  }
}
