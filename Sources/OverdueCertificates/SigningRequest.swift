import Crypto
import SwiftASN1
import X509

/// A new key pair and a certificate signing request for it, made where the key will live.
public struct SigningRequest: Sendable {
  public var csrPEM: String
  public var privateKeyPEM: String

  public init(commonName: String) throws {
    let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
    let csr = try CertificateSigningRequest(
      version: .v1, subject: try DistinguishedName { CommonName(commonName) }, privateKey: key,
      attributes: CertificateSigningRequest.Attributes(), signatureAlgorithm: .ecdsaWithSHA256)
    csrPEM = try csr.serializeAsPEM().pemString
    privateKeyPEM = try key.serializeAsPEM().pemString
  }
}
