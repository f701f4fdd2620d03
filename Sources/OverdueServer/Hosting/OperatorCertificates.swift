import Foundation
import OverdueCertificates
import OverdueCore
import OverdueRegistry
import OverdueStore
import SwiftASN1
import X509

/// The operators' certificates, made outside the registry's commands, recorded at start so that
/// they pass the fail-closed certificate check and can be revoked like members' certificates.
enum OperatorCertificates {
  static func record(_ paths: [String], authority: CertificateAuthority, in eventStore: EventStore)
    throws
  {
    for path in paths {
      let certificate = try Certificate(
        pemEncoded: try String(contentsOfFile: path, encoding: .utf8))
      guard
        let uri = certificate.uniformResourceIdentifiers.first(where: {
          if case .operator = Actor(uri: $0) { true } else { false }
        })
      else {
        throw RegistryError(
          .invalidArgument, reason: "NOT_AN_OPERATOR_CERTIFICATE",
          message: "\(path) names no registry operator (SAN URI overdue:operator:NAME)")
      }
      guard certificate.issuer == authority.certificate.subject else {
        throw RegistryError(
          .invalidArgument, reason: "OTHER_CA",
          message: "\(path) was not issued by the registry's CA")
      }
      try eventStore.recordCertificateIfNew(
        IssuedCertificate(
          serialHex: certificate.serialHex, principal: uri, notAfter: certificate.notValidAfter))
    }
  }
}
