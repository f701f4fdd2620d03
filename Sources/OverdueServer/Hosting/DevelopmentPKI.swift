import Foundation
import Logging
import OverdueCertificates

/// The development certificates made on first start when none are configured: a CA, the server's
/// certificate (`localhost`, `127.0.0.1`) and an operator identity. Development only: keys sit on disk.
enum DevelopmentPKI {
  static let operatorName = "dev-operator"

  /// Creates whatever is missing in `directory` and returns the files to use.
  static func ensure(in directory: URL, logger: Logger) throws -> ServerConfiguration.TLSFiles {
    let files = ServerConfiguration.TLSFiles(
      serverCertificate: directory.appendingPathComponent("server.pem").path,
      serverKey: directory.appendingPathComponent("server-key.pem").path,
      caCertificate: directory.appendingPathComponent("ca.pem").path,
      caKey: directory.appendingPathComponent("ca-key.pem").path)
    let manager = FileManager.default
    let authority: CertificateAuthority
    if manager.fileExists(atPath: files.caCertificate), manager.fileExists(atPath: files.caKey) {
      authority = try CertificateAuthority(
        certificatePEM: try String(contentsOfFile: files.caCertificate, encoding: .utf8),
        privateKeyPEM: try String(contentsOfFile: files.caKey, encoding: .utf8))
    } else {
      try PrivateFiles.ensureDirectory(directory)
      authority = try CertificateAuthority.create(
        commonName: "Overdue development CA (NOT FOR PRODUCTION)")
      try write(try authority.certificatePEM, to: files.caCertificate)
      try write(try authority.privateKeyPEM, to: files.caKey, secret: true)
      logger.warning(
        "created a development CA; do not use it in production",
        metadata: ["path": "\(directory.path)"])
    }
    if !manager.fileExists(atPath: files.serverCertificate)
      || !manager.fileExists(atPath: files.serverKey)
    {
      let server = try authority.issueServerCertificate(
        dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
      try write(server.certificatePEM, to: files.serverCertificate)
      try write(server.privateKeyPEM!, to: files.serverKey, secret: true)
    }
    let operatorIdentity = IdentityDirectory(directory.appendingPathComponent("operator"))
    if !operatorIdentity.exists {
      let issued = try authority.issueClientCertificate(
        uri: "overdue:operator:\(operatorName)", commonName: operatorName, csrPEM: nil)
      try operatorIdentity.write(
        certificatePEM: issued.certificatePEM, privateKeyPEM: issued.privateKeyPEM!,
        caPEM: try authority.certificatePEM)
      logger.info(
        "created the development operator identity",
        metadata: ["path": "\(operatorIdentity.url.path)"])
    }
    return files
  }

  /// The development operator's certificate, which the server records at start.
  static func operatorCertificate(in directory: URL) -> String {
    IdentityDirectory(directory.appendingPathComponent("operator")).certificateFile.path
  }

  private static func write(_ text: String, to path: String, secret: Bool = false) throws {
    if secret {
      try PrivateFiles.write(text, to: path)
    } else {
      try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
  }
}
