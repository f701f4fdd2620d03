public import Foundation

/// Where the two listeners are bound; written to `DATA/listeners.json` once both are up.
public struct ListenerAddresses: Codable, Sendable, Equatable {
  public var `public`: String
  public var member: String

  /// The port part of an address.
  public static func port(of address: String) -> Int {
    Int(address.split(separator: ":").last ?? "") ?? 0
  }

  /// The addresses a server wrote to `listeners.json`.
  public static func read(_ url: URL) throws -> ListenerAddresses {
    try JSONDecoder().decode(ListenerAddresses.self, from: Data(contentsOf: url))
  }

  func write(to url: URL) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    try encoder.encode(self).write(to: url, options: .atomic)
  }
}
