import ArgumentParser
import Foundation
import GRPCCore
import OverdueAPI
import OverdueClient

/// `overdue member import FILE`: file many defaults from a CSV, one row per invoice. Running the
/// same file again files nothing new.
struct Import: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract:
      "File listings from a CSV (one row per invoice; rows grouped by party and member_reference).",
    discussion: """
      Columns: party, scheme, legal_name, currency, invoice_number, issued_on, due_on, amount (major units), \
      notice_served_on, member_reference, evidence (paths separated by ';', relative to the CSV). Each row is \
      reported accepted or rejected with the reason; request ids come from the rows' content.
      """)

  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The CSV file.") var file: String

  func run() async throws {
    let base = URL(fileURLWithPath: file).deletingLastPathComponent()
    let plan: ListingImport
    do {
      plan = try ListingImport(csv: try String(contentsOfFile: file, encoding: .utf8)) { path in
        let url =
          path.hasPrefix("/") ? URL(fileURLWithPath: path) : base.appendingPathComponent(path)
        guard let document = try EvidenceFiles.load([url.path]).first else {
          throw ValidationError("no evidence at \(path)")
        }
        return document
      }
    } catch let error as BatchLedger.FormatError {
      throw ValidationError("\(file): \(error.description)")
    }
    for rejection in plan.rejections {
      print("lines \(Self.lines(rejection.lines)): rejected: \(rejection.reason)")
    }
    let progress = ProgressReporter(total: plan.filings.count, label: "filings")
    let (accepted, rejected) = try await connection.run(requiresIdentity: true) { clients in
      var accepted = 0
      var rejected = plan.rejections.reduce(0) { $0 + $1.lines.count }
      for (index, filing) in plan.filings.enumerated() {
        do {
          let receipt = try await clients.members.fileDefault(filing.request)
          print(
            "lines \(Self.lines(filing.lines)): accepted \(receipt.listingID) \(StateNames.name(receipt.state))"
          )
          accepted += filing.lines.count
        } catch let error as RPCError
          where error.code != .unavailable && error.code != .unauthenticated
        {
          print(
            "lines \(Self.lines(filing.lines)): rejected: "
              + ErrorReport.describe(error).replacingOccurrences(of: "\n", with: ";"))
          rejected += filing.lines.count
        }
        progress.update(done: index + 1, force: index + 1 == plan.filings.count)
      }
      return (accepted, rejected)
    }
    FileHandle.standardError.write(
      Data("rows \(plan.rowCount): \(accepted) accepted, \(rejected) rejected\n".utf8))
  }

  static func lines(_ lines: [Int]) -> String { lines.map(String.init).joined(separator: ",") }
}
