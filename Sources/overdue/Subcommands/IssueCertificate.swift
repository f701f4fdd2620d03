import ArgumentParser
import Foundation
import OverdueAPI
import OverdueCertificates
import OverdueClient

/// `overdue operator issue-certificate`: make a member's identity directory. The key is made here
/// and never leaves this machine; the registry signs a CSR.
struct IssueCertificate: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Issue a member certificate into an identity directory (key made locally).")

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var request: RequestIdOption
  @Argument(help: "The member id.") var memberId: String
  @Option(help: "Directory to write cert.pem, key.pem and ca.pem into.") var out: String

  func run() async throws {
    let directory = IdentityDirectory(URL(fileURLWithPath: out))
    guard !directory.exists else {
      throw ValidationError("\(out) already holds an identity; choose another --out")
    }
    let signingRequest = try SigningRequest(commonName: memberId)
    var message = Overdue_V1_IssueMemberCertificateRequest()
    message.requestID = request.requestId
    message.memberID = memberId
    message.csrPem = signingRequest.csrPEM
    let response = try await connection.run(requiresIdentity: true) { [message] in
      try await $0.operator.issueMemberCertificate(message)
    }
    try directory.write(
      certificatePEM: response.certificatePem, privateKeyPEM: signingRequest.privateKeyPEM,
      caPEM: response.caCertificatePem)
    print("issued certificate \(response.serialHex) for \(memberId) into \(out)")
  }
}
