import Foundation

/// Where the two listeners are bound; written to `DATA/listeners.json` once both are up.
public struct ListenerAddresses: Codable, Sendable, Equatable {
  public var `public`: String
  public var member: String

  /// The port part of an address.
  public static func port(of address: String) -> Int {
    Int(address.split(separator: ":").last ?? "") ?? 0
  }

  func write(to url: URL) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    try encoder.encode(self).write(to: url, options: .atomic)
  }
}
