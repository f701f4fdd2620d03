import Foundation
public import OverdueCore

/// A party's identifier and legal name, as name search finds it.
public struct PartyName: Sendable, Equatable {
  public var identifier: PartyIdentifier
  public var legalName: String
}

/// Turns a typed name into an FTS5 trigram query: any shared trigram matches, and ranking favours
/// names sharing more of them, so a typo costs a few trigrams instead of the match.
enum NameSearch {
  /// At most this many trigrams from a query, to bound the cost of very long queries.
  static let maxTrigrams = 16

  static func normalise(_ query: String) -> String {
    query.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
  }

  static func matchExpression(_ query: String) -> String {
    let characters = Array(normalise(query))
    guard characters.count >= 3 else { return "" }
    var seen = Set<String>()
    var trigrams: [String] = []
    for start in 0...(characters.count - 3) where trigrams.count < maxTrigrams {
      let trigram = String(characters[start..<start + 3])
      if seen.insert(trigram).inserted { trigrams.append(trigram) }
    }
    return trigrams.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
      .joined(separator: " OR ")
  }

  static func prefixPattern(_ query: String) -> String {
    let escaped = normalise(query).replacingOccurrences(of: "\\", with: "\\\\")
      .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    return escaped + "%"
  }
}
