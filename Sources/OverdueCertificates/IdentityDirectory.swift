public import Foundation
import SwiftASN1
import X509

/// A directory holding a client identity: `cert.pem`, `key.pem` and the registry's `ca.pem`.
public struct IdentityDirectory: Sendable {
  public var url: URL

  public init(_ url: URL) { self.url = url }

  public var certificateFile: URL { url.appendingPathComponent("cert.pem") }
  public var keyFile: URL { url.appendingPathComponent("key.pem") }
  public var caFile: URL { url.appendingPathComponent("ca.pem") }

  /// Writes the three files in a directory only its owner may open (the key made 0600).
  public func write(certificatePEM: String, privateKeyPEM: String, caPEM: String) throws {
    try PrivateFiles.ensureDirectory(url)
    try certificatePEM.write(to: certificateFile, atomically: true, encoding: .utf8)
    try caPEM.write(to: caFile, atomically: true, encoding: .utf8)
    try PrivateFiles.write(privateKeyPEM, to: keyFile.path)
  }

  /// The serial number (hex) of the certificate in `cert.pem`, as the registry revokes it.
  public func serialHex() throws -> String {
    try Certificate(pemEncoded: String(contentsOf: certificateFile, encoding: .utf8)).serialHex
  }

  /// Whether all three files are present.
  public var exists: Bool {
    [certificateFile, keyFile, caFile].allSatisfy {
      FileManager.default.fileExists(atPath: $0.path)
    }
  }
}
