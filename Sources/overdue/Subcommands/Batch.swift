import ArgumentParser
import Foundation
import OverdueAPI
import OverdueClient
import Synchronization

/// `overdue batch FILE`: check a whole ledger of buyers in one stream.
struct Batch: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Check every party in a CSV (an 'identifier' column, optional 'scheme') or a list, one per line."
  )

  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The CSV or list file.") var file: String
  @Option(help: "Write results here (default: standard output).") var output: String?
  @Option(help: "csv or jsonl (default: from the output's extension, else csv).") var format:
    String?
  @Option(help: "Identifiers per stream message.") var chunkSize = 1_000

  func run() async throws {
    let ledger: BatchLedger
    do {
      ledger = try BatchLedger(csv: try String(contentsOfFile: file, encoding: .utf8))
    } catch let error as BatchLedger.FormatError {
      throw ValidationError("\(file): \(error.description)")
    }
    let chosen =
      format
      ?? (output.map { $0.hasSuffix(".jsonl") || $0.hasSuffix(".json") ? "jsonl" : "csv" } ?? "csv")
    guard let outputFormat = BatchOutput.Format(rawValue: chosen) else {
      throw ValidationError("--format is csv or jsonl, got '\(chosen)'")
    }
    guard (1...10_000).contains(chunkSize) else {
      throw ValidationError("--chunk-size is 1 to 10000")
    }
    let state = Mutex(
      (
        out: try BatchOutput(format: outputFormat, header: ledger.header, path: output),
        summary: BatchSummary(),
        progress: ProgressReporter(total: ledger.rows.count, label: "checked")
      ))
    let rows = ledger.rows
    let items = AsyncStream<Overdue_V1_BatchItem> { continuation in
      for (index, row) in rows.enumerated() {
        var item = Overdue_V1_BatchItem()
        item.correlationID = String(index)
        item.party.scheme = row.scheme
        item.party.value = row.identifier
        continuation.yield(item)
      }
      continuation.finish()
    }
    try await connection.run(requiresIdentity: false) { clients in
      try await clients.batchCheck(items, chunkSize: chunkSize) { results in
        try state.withLock { state in
          for result in results {
            guard let index = Int(result.correlationID), rows.indices.contains(index) else {
              continue
            }
            try state.out.write(rows[index], result)
            state.summary.count(result)
          }
          state.progress.update(done: state.summary.checked)
        }
      }
    }
    let summary = state.withLock { state in
      state.out.flush()
      state.progress.update(done: state.summary.checked, force: true)
      return state.summary
    }
    FileHandle.standardError.write(Data((summary.text + "\n").utf8))
  }
}
