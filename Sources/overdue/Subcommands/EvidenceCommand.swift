import ArgumentParser
import Foundation
import OverdueAPI
import OverdueClient

/// `overdue operator evidence`: fetch a listing's evidence document to inspect it.
struct EvidenceCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evidence", abstract: "Save a listing's evidence document to a file.")

  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The listing id.") var listingId: String
  @Argument(help: "The document's SHA-256 (hex), as `overdue operator pending` shows it.")
  var sha256: String
  @Option(help: "File to write.") var out: String

  func run() async throws {
    var message = Overdue_V1_GetEvidenceRequest()
    message.listingID = listingId
    message.sha256Hex = sha256
    let response = try await connection.run(requiresIdentity: true) { [message] in
      try await $0.operator.getEvidence(message)
    }
    try response.evidence.content.write(to: URL(fileURLWithPath: out))
    print(
      "wrote \(response.evidence.content.count) bytes (\(response.evidence.contentType)) to \(out)")
  }
}
