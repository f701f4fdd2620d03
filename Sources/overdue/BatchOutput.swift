import Foundation
import OverdueAPI
import OverdueClient
import OverdueCore

/// Writes batch results as CSV (the input columns, then the result's) or JSON lines.
struct BatchOutput {
  enum Format: String, CaseIterable {
    case csv
    case jsonl
  }

  static let resultColumns = [
    "status", "risk_band", "open_listings", "outstanding", "legal_name", "error",
  ]

  let format: Format
  let header: [String]
  private let handle: FileHandle
  private var buffer = ""

  init(format: Format, header: [String], path: String?) throws {
    self.format = format
    self.header = header
    if let path {
      guard FileManager.default.createFile(atPath: path, contents: nil) else {
        throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
      }
      handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    } else {
      handle = FileHandle.standardOutput
    }
    if format == .csv {
      buffer += (header + Self.resultColumns).map(Self.quoted).joined(separator: ",") + "\n"
    }
  }

  /// The result's own columns, in `resultColumns` order.
  static func values(_ result: Overdue_V1_BatchResult) -> [String] {
    switch result.outcome {
    case .report(let report):
      let outstanding = report.summary.outstanding.filter { $0.amountMinor > 0 }
        .map { MoneyText.format($0.amountMinor, $0.currency) }.joined(separator: "; ")
      return [
        StateNames.status(report.status), report.riskBand, String(report.summary.openListings),
        outstanding,
        report.legalName, "",
      ]
    case .error(let status):
      return ["INVALID", "", "", "", "", status.message]
    case nil:
      return ["UNKNOWN", "", "", "", "", "no answer"]
    }
  }

  mutating func write(_ row: BatchLedger.Row, _ result: Overdue_V1_BatchResult) throws {
    let values = Self.values(result)
    switch format {
    case .csv:
      buffer += (row.columns + values).map(Self.quoted).joined(separator: ",") + "\n"
    case .jsonl:
      var object: [String: Any] = ["line": row.line]
      for (name, value) in zip(header, row.columns) { object[name] = value }
      for (name, value) in zip(Self.resultColumns, values) where !value.isEmpty {
        object[name] = value
      }
      let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
      buffer += String(decoding: data, as: UTF8.self) + "\n"
    }
    if buffer.utf8.count > 1 << 16 { flush() }
  }

  mutating func flush() {
    handle.write(Data(buffer.utf8))
    buffer.removeAll(keepingCapacity: true)
  }

  static func quoted(_ field: String) -> String {
    guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
      return field
    }
    return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
