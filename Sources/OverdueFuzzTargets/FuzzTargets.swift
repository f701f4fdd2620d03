public import Foundation
import OverdueClient
import OverdueCore
import OverdueServer

/// What each fuzzer feeds its input to. The libFuzzer executables (`scripts/fuzz`) and the corpus
/// replay test call these same functions; any input may be refused, none may crash or hang.
public enum FuzzTargets {
  /// The names of the targets, as in `fuzz/corpus/NAME` and `scripts/fuzz NAME`.
  public static let all: [String: @Sendable (Data) -> Void] = [
    "identifiers": identifier, "csv": csv, "requests": fileDefaultRequest,
  ]

  /// Identifier parsing: the first line is the scheme, the rest the value.
  public static func identifier(_ data: Data) {
    let text = String(decoding: data, as: UTF8.self)
    let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
    let scheme = parts.count > 1 ? String(parts[0]) : ""
    guard
      let identifier = try? PartyIdentifier.parse(scheme: scheme, value: String(parts.last ?? ""))
    else { return }
    // A valid identifier must survive its own normal form.
    precondition(
      (try? PartyIdentifier.parse(scheme: identifier.scheme.rawValue, value: identifier.value))
        == identifier, "\(identifier) does not parse back to itself")
    _ = identifier.linkedPAN
  }

  /// CSV parsing and the batch ledger reading on top of it.
  public static func csv(_ data: Data) {
    let text = String(decoding: data, as: UTF8.self)
    for _ in CSVReader(text) {}
    _ = try? BatchLedger(csv: text)
  }

  /// FileDefault request bytes → domain filing → the pure filing rules.
  public static func fileDefaultRequest(_ data: Data) {
    guard
      let filing = try? FilingRequestDecoder.filing(
        fromRequestBytes: Array(data), listingId: "L-FUZZ")
    else { return }
    let member = Member(
      id: "M-FUZZ", displayName: "Fuzz Traders",
      identifier: PartyIdentifier(unchecked: .gstin, "24AAACC1206D1ZM"), sector: "Testing")
    let context = DecisionContext(
      actor: .member(member.id), today: CalendarDate("2026-11-23")!, policy: .defaults,
      member: member)
    _ = try? ListingDecider.decide(.file(filing), on: nil, context: context)
  }
}
