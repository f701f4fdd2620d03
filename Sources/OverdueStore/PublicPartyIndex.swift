import OverdueCore
import Synchronization

/// In memory: which parties have public listings (by `Listing.debtKey`: the PAN when linked, else
/// scheme and value), and the sequence the read model has applied. Most checked buyers are clear,
/// and this answers them without SQLite. The projector updates it after each committed batch, the
/// position last, so a reader that sees a position also sees every party that far.
final class PublicPartyIndex: Sendable {
  private struct State {
    var keys: Set<String>
    var position: UInt64
  }

  private let state: Mutex<State>

  init(keys: Set<String>, position: UInt64) {
    state = Mutex(State(keys: keys, position: position))
  }

  static func key(_ identifier: PartyIdentifier) -> String {
    Listing.debtKey(party: identifier, pan: identifier.linkedPAN)
  }

  /// For each identifier, whether it may have public listings; and the applied position.
  func lookup(_ identifiers: [PartyIdentifier]) -> (known: [Bool], position: UInt64) {
    let keys = identifiers.map(Self.key)
    return state.withLock { state in (keys.map(state.keys.contains), state.position) }
  }

  var position: UInt64 { state.withLock { $0.position } }

  /// Records which keys now have public parties and the new position.
  func update(present: Set<String>, absent: Set<String>, position: UInt64) {
    state.withLock { state in
      state.keys.subtract(absent)
      state.keys.formUnion(present)
      state.position = position
    }
  }

  /// Replaces everything (after a rebuild).
  func reset(keys: Set<String>, position: UInt64) {
    state.withLock { $0 = State(keys: keys, position: position) }
  }
}
