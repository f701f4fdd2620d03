import Crypto
public import Foundation
import SwiftASN1
public import X509

/// The registry's certificate authority: signs the server's certificate and members' and operators'
/// client certificates (identity in a SAN URI such as `overdue:member:M-1`).
public struct CertificateAuthority: Sendable {
  public let certificate: Certificate
  let privateKey: Certificate.PrivateKey

  /// A new self-signed CA.
  public static func create(commonName: String, validFor days: Int = 3650, now: Date = Date())
    throws -> CertificateAuthority
  {
    let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
    let name = try DistinguishedName {
      OrganizationName("Overdue")
      CommonName(commonName)
    }
    let certificate = try Certificate(
      version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
      notValidBefore: now.addingTimeInterval(-300),
      notValidAfter: now.addingTimeInterval(Double(days) * 86_400),
      issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
      extensions: try Certificate.Extensions {
        Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
        Critical(KeyUsage(keyCertSign: true, cRLSign: true))
        SubjectKeyIdentifier(hash: key.publicKey)
      },
      issuerPrivateKey: key)
    return CertificateAuthority(certificate: certificate, privateKey: key)
  }

  /// Loads a CA from PEM files' contents.
  public init(certificatePEM: String, privateKeyPEM: String) throws {
    self.init(
      certificate: try Certificate(pemEncoded: certificatePEM),
      privateKey: try Certificate.PrivateKey(pemEncoded: privateKeyPEM))
  }

  init(certificate: Certificate, privateKey: Certificate.PrivateKey) {
    self.certificate = certificate
    self.privateKey = privateKey
  }

  public var certificatePEM: String { get throws { try certificate.serializeAsPEM().pemString } }
  public var privateKeyPEM: String { get throws { try privateKey.serializeAsPEM().pemString } }

  /// A server certificate for the given DNS names and IP addresses.
  public func issueServerCertificate(
    dnsNames: [String], ipAddresses: [String], validFor days: Int = 825, now: Date = Date()
  ) throws -> IssuedIdentity {
    let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
    var names = dnsNames.map { GeneralName.dnsName($0) }
    for address in ipAddresses {
      names.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(try Self.ipBytes(address)))))
    }
    let certificate = try sign(
      publicKey: key.publicKey, commonName: dnsNames.first ?? "overdued", usage: .serverAuth,
      alternativeNames: names, days: days, now: now)
    return try IssuedIdentity(certificate: certificate, privateKey: key)
  }

  /// A client certificate naming `uri` (e.g. `overdue:member:M-1`). With a CSR the holder keeps its
  /// key and only the CSR's public key is used (its signature must verify); without one a key is made here.
  public func issueClientCertificate(
    uri: String, commonName: String, csrPEM: String?, validFor days: Int = 365, now: Date = Date()
  ) throws -> IssuedIdentity {
    if let csrPEM {
      let csr = try CertificateSigningRequest(pemEncoded: csrPEM)
      guard csr.publicKey.isValidSignature(csr.signature, for: csr) else {
        throw CertificateError.invalidSigningRequest
      }
      let certificate = try sign(
        publicKey: csr.publicKey, commonName: commonName, usage: .clientAuth,
        alternativeNames: [.uniformResourceIdentifier(uri)], days: days, now: now)
      return try IssuedIdentity(certificate: certificate, privateKey: nil)
    }
    let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
    let certificate = try sign(
      publicKey: key.publicKey, commonName: commonName, usage: .clientAuth,
      alternativeNames: [.uniformResourceIdentifier(uri)], days: days, now: now)
    return try IssuedIdentity(certificate: certificate, privateKey: key)
  }

  private func sign(
    publicKey: Certificate.PublicKey, commonName: String, usage: ExtendedKeyUsage.Usage,
    alternativeNames: [GeneralName], days: Int, now: Date
  ) throws -> Certificate {
    try Certificate(
      version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
      notValidBefore: now.addingTimeInterval(-300),
      notValidAfter: now.addingTimeInterval(Double(days) * 86_400),
      issuer: certificate.subject,
      subject: try DistinguishedName {
        OrganizationName("Overdue")
        CommonName(commonName)
      },
      signatureAlgorithm: .ecdsaWithSHA256,
      extensions: try Certificate.Extensions {
        Critical(BasicConstraints.notCertificateAuthority)
        Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
        try ExtendedKeyUsage([usage])
        SubjectAlternativeNames(alternativeNames)
        AuthorityKeyIdentifier(
          keyIdentifier: try certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
      },
      issuerPrivateKey: privateKey)
  }

  static func ipBytes(_ address: String) throws -> [UInt8] {
    let parts = address.split(separator: ".").compactMap { UInt8($0) }
    guard parts.count == 4 else { throw CertificateError.unsupportedAddress(address) }
    return parts
  }
}

/// A certificate just issued, as PEM, with its key when the key was made here.
public struct IssuedIdentity: Sendable {
  public var certificatePEM: String
  public var privateKeyPEM: String?
  public var serialHex: String
  public var notAfter: Date

  init(certificate: Certificate, privateKey: Certificate.PrivateKey?) throws {
    certificatePEM = try certificate.serializeAsPEM().pemString
    privateKeyPEM = try privateKey?.serializeAsPEM().pemString
    serialHex = certificate.serialHex
    notAfter = certificate.notValidAfter
  }
}

/// Why a certificate could not be made.
public enum CertificateError: Error, Equatable {
  case invalidSigningRequest
  case unsupportedAddress(String)
}

extension Certificate {
  /// The serial number in lower-case hex, as the registry records and revokes it.
  public var serialHex: String { serialNumber.bytes.map { String(format: "%02x", $0) }.joined() }

  /// The SAN URIs this certificate names (where a registry identity lives).
  public var uniformResourceIdentifiers: [String] {
    guard let names = try? extensions.subjectAlternativeNames else { return [] }
    return names.compactMap { name in
      if case .uniformResourceIdentifier(let uri) = name { return uri }
      return nil
    }
  }
}
