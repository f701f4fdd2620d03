import OverdueStore
import Synchronization

/// The log rows after a cursor, read once for all the watch streams that scan from the same
/// cursor while the log is at the same position: when a commit wakes a thousand streams, one of
/// them reads the new rows and the others take its result. A result holds at least every row up
/// to the position it is keyed by, so a stream given one is never behind what it was woken for.
final class SharedScans: Sendable {
  private struct Key: Hashable {
    let cursor: UInt64
    let position: UInt64
  }

  private let results = Mutex<[Key: [LoggedRow]]>([:])
  /// At most this many results are kept; when full, all are forgotten at once.
  let capacity: Int

  init(capacity: Int = 64) {
    self.capacity = capacity
  }

  /// The rows after `cursor` (at most `limit`), read from `eventStore` unless a stream already
  /// read them at the log position `position`.
  func rows(after cursor: UInt64, limit: Int, position: UInt64, eventStore: EventStore) throws
    -> [LoggedRow]
  {
    let key = Key(cursor: cursor, position: position)
    if let shared = results.withLock({ $0[key] }) { return shared }
    let rows = try eventStore.rows(after: cursor, limit: limit)
    results.withLock { results in
      if results.count >= capacity { results.removeAll(keepingCapacity: true) }
      results[key] = rows
    }
    return rows
  }
}
