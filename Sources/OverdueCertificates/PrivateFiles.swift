public import Foundation

/// Files and directories only their owner may read: private keys are created with mode 0600 (never
/// written first and restricted afterwards, which leaves a moment when others can read them), and
/// directories holding them with 0700.
public enum PrivateFiles {
  /// Writes `text` to a new file at `path` made with mode 0600, through a temporary file in the
  /// same directory renamed into place (so a crash leaves the old file or the new one).
  public static func write(_ text: String, to path: String) throws {
    let temporary = path + ".tmp-\(UUID().uuidString)"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    do {
      try handle.write(contentsOf: Data(text.utf8))
      try handle.synchronize()
      try handle.close()
      guard rename(temporary, path) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    } catch {
      unlink(temporary)
      throw error
    }
  }

  /// Creates `directory` (and missing parents) with mode 0700, or restricts an existing one to it.
  public static func ensureDirectory(_ directory: URL) throws {
    try FileManager.default.createDirectory(
      at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    guard chmod(directory.path, 0o700) == 0 else {
      throw POSIXError(.init(rawValue: errno) ?? .EIO)
    }
  }
}
