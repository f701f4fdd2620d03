import ArgumentParser
import Foundation
import OverdueAPI
import OverdueClient

/// `overdue operator audit`: the audit log, and whether its hash chain verifies.
struct Audit: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List the audit log and verify its hash chain (exit 1 if it is broken).")

  @OptionGroup var connection: ConnectionOptions
  @Option(help: "Show rows after this id.") var after: Int64 = 0
  @Option(help: "At most this many rows.") var limit: Int32 = 100

  func run() async throws {
    var request = Overdue_V1_ListAuditRequest()
    request.afterID = after
    request.pageSize = limit
    let response = try await connection.run(requiresIdentity: true) { [request] in
      try await $0.operator.listAudit(request)
    }
    for row in response.rows {
      print(
        "\(row.id)  \(row.at)  \(row.actor)  \(row.action)  \(row.target)  \(row.detail)  \(row.hash.prefix(12))…"
      )
    }
    if response.chainIntact {
      print("audit chain verified: every row links to the one before")
    } else {
      FileHandle.standardError.write(
        Data("AUDIT CHAIN BROKEN at row \(response.firstBrokenID)\n".utf8))
      throw ExitCode.failure
    }
  }
}
