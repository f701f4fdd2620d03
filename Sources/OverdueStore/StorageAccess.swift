public import OverdueCore

/// Runs storage work, reporting any database failure as `unavailable` (the write was not stored)
/// and passing registry refusals through unchanged.
public func storageAccess<T>(_ body: () throws -> T) throws(RegistryError) -> T {
  do {
    return try body()
  } catch let error as RegistryError {
    throw error
  } catch {
    throw RegistryError(
      .unavailable, reason: "STORAGE_UNAVAILABLE", message: "storage is unavailable: \(error)")
  }
}
