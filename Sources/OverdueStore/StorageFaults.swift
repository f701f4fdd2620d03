import GRDB
import Synchronization

/// A seam in front of the event log's storage that tests can make fail like a full disk or a
/// failing device: while a fault is set, every statement that writes an event, a request id or an
/// audit row fails inside SQLite with that error, in the middle of the command's transaction.
public final class StorageFaults: Sendable {
  public enum Fault: Sendable {
    case diskFull
    case ioError
  }

  private let current = Mutex<Fault?>(nil)

  public init() {}

  /// Sets the fault every write from now on meets (nil clears it).
  public func inject(_ fault: Fault?) {
    current.withLock { $0 = fault }
  }

  /// Installs the fault on the writer connection: a SQL function that fails while a fault is set,
  /// called by temporary triggers before each insert into the tables every command writes.
  func install(on db: Database) throws {
    db.add(
      function: DatabaseFunction("overdue_storage_fault", argumentCount: 0, pure: false) { _ in
        switch self.current.withLock({ $0 }) {
        case nil: return nil
        case .diskFull: throw DatabaseError(resultCode: .SQLITE_FULL, message: "disk is full")
        case .ioError: throw DatabaseError(resultCode: .SQLITE_IOERR, message: "disk I/O error")
        }
      })
    for table in ["events", "requests", "audit"] {
      try db.execute(
        sql: """
          CREATE TEMP TRIGGER storage_fault_\(table) BEFORE INSERT ON main.\(table)
          BEGIN SELECT overdue_storage_fault(); END
          """)
    }
  }
}
