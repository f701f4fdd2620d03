import GRDB
public import OverdueCore

/// Runs storage work, passing registry refusals through unchanged. A failure of the storage itself
/// (full disk, I/O error, locked or unopenable file, out of memory) is `unavailable`: the write
/// was not stored and a retry may succeed. Anything else SQLite reports is a fault of ours and is
/// `internal`. Neither message carries SQLite's own text, which stays in `underlying`.
public func storageAccess<T>(_ body: () throws -> T) throws(RegistryError) -> T {
  do {
    return try body()
  } catch let error as RegistryError {
    throw error
  } catch let error as DatabaseError where StorageFailure.isStorageFault(error.resultCode) {
    throw RegistryError(
      .unavailable, reason: "STORAGE_UNAVAILABLE",
      message: "storage is unavailable; the request was not stored, retry shortly",
      underlying: "\(error)")
  } catch {
    throw RegistryError(
      .internal, reason: "INTERNAL", message: "the registry failed to answer; retry later",
      underlying: "\(error)")
  }
}

/// Which SQLite results mean the storage failed (rather than the statement being wrong).
enum StorageFailure {
  static func isStorageFault(_ code: ResultCode) -> Bool {
    switch code.primaryResultCode {
    case .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_CANTOPEN,
      .SQLITE_NOMEM, .SQLITE_READONLY, .SQLITE_INTERRUPT:
      return true
    default:
      return false
    }
  }
}
