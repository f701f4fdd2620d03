import Foundation
public import OverdueCore

/// A party's identifier and legal name, as name search finds it.
public struct PartyName: Sendable, Equatable {
  public var identifier: PartyIdentifier
  public var legalName: String
}

/// Name search in two steps. Candidates come from the FTS5 trigram index with a query that a
/// single typo per word cannot defeat: each word of 6+ characters matches if either its first or
/// its second half appears as a substring (a typo spoils only one half); shorter words must appear
/// whole. Candidates are then ranked here: names starting with the query, then containing it, then
/// by how many of the query's trigrams they share.
enum NameSearch {
  /// At most this many candidates are ranked; deeper pages are not served.
  static let maxCandidates = 1_000

  static func normalise(_ text: String) -> String {
    text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
  }

  /// The FTS5 expression, or "" when the query has fewer than 3 characters.
  static func matchExpression(_ query: String) -> String {
    let normalised = normalise(query)
    guard normalised.count >= 3 else { return "" }
    var words = normalised.split(separator: " ").map(String.init).filter { $0.count >= 3 }
    if words.isEmpty { words = [normalised] }
    return words.map { word in
      guard word.count >= 6 else { return quoted(word) }
      let half = word.count / 2
      return
        "(\(quoted(String(word.prefix(word.count - half)))) OR \(quoted(String(word.suffix(half)))))"
    }.joined(separator: " AND ")
  }

  /// Orders candidates best first.
  static func rank(_ candidates: [PartyName], for query: String) -> [PartyName] {
    let wanted = normalise(query)
    let wantedTrigrams = trigrams(wanted)
    func score(_ name: String) -> Double {
      let text = normalise(name)
      var score =
        Double(wantedTrigrams.intersection(trigrams(text)).count)
        / Double(max(wantedTrigrams.count, 1))
      if text.contains(wanted) { score += 1 }
      if text.hasPrefix(wanted) { score += 2 }
      return score
    }
    return candidates.map { ($0, score($0.legalName)) }
      .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.legalName < $1.0.legalName }
      .map(\.0)
  }

  static func trigrams(_ text: String) -> Set<String> {
    let characters = Array(text)
    guard characters.count >= 3 else { return [] }
    return Set((0...(characters.count - 3)).map { String(characters[$0..<$0 + 3]) })
  }

  private static func quoted(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
