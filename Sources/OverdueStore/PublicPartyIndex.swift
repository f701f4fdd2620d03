import OverdueCore
import Synchronization

/// In memory: which parties have public listings (by `Listing.debtKey`: the PAN when linked, else
/// scheme and value), what was last read about some of them, and the sequence the read model has
/// applied. Most checked buyers are clear, and this answers them without SQLite; listed ones read
/// recently are answered from `PartyRows` kept here. The projector updates it after each committed
/// batch, forgetting the rows of every key the batch touched and setting the position last, so a
/// reader that sees a position also sees every party that far.
final class PublicPartyIndex: Sendable {
  /// What the index can say about one identifier.
  enum Entry: Sendable {
    case clear
    case remembered(PartyRows)
    case unread
  }

  private struct State {
    var keys: Set<String>
    var rows: [String: PartyRows] = [:]
    var position: UInt64
    /// Counts updates, so rows read before one are never remembered after it.
    var generation: UInt64 = 0
  }

  private let state: Mutex<State>
  /// At most this many keys' rows are remembered; when full, they are all forgotten at once.
  let capacity: Int

  init(keys: Set<String>, position: UInt64, capacity: Int) {
    state = Mutex(State(keys: keys, position: position))
    self.capacity = capacity
  }

  static func key(_ identifier: PartyIdentifier) -> String {
    Listing.debtKey(party: identifier, pan: identifier.linkedPAN)
  }

  /// For each identifier what is known without SQLite; the applied position; and the generation
  /// to hand back to `remember`.
  func lookup(_ identifiers: [PartyIdentifier]) -> (
    entries: [Entry], position: UInt64, generation: UInt64
  ) {
    let keys = identifiers.map(Self.key)
    return state.withLock { state in
      let entries = keys.map { key -> Entry in
        guard state.keys.contains(key) else { return .clear }
        return state.rows[key].map(Entry.remembered) ?? .unread
      }
      return (entries, state.position, state.generation)
    }
  }

  /// Keeps rows read from SQLite, unless the projector changed anything since `generation`.
  func remember(_ read: [String: PartyRows], generation: UInt64) {
    guard capacity > 0, !read.isEmpty else { return }
    state.withLock { state in
      guard state.generation == generation else { return }
      if state.rows.count + read.count > capacity { state.rows.removeAll(keepingCapacity: true) }
      for (key, rows) in read where state.rows.count < capacity { state.rows[key] = rows }
    }
  }

  var position: UInt64 { state.withLock { $0.position } }

  /// Records which keys now have public parties and the new position; forgets their rows.
  func update(present: Set<String>, absent: Set<String>, position: UInt64) {
    state.withLock { state in
      precondition(position >= state.position, "projection passes applied out of order")
      state.keys.subtract(absent)
      state.keys.formUnion(present)
      for key in present.union(absent) { state.rows[key] = nil }
      state.position = position
      state.generation += 1
    }
  }

  /// Replaces everything (after a rebuild).
  func reset(keys: Set<String>, position: UInt64) {
    state.withLock { state in
      state = State(keys: keys, position: position, generation: state.generation + 1)
    }
  }
}
