import Crypto
import Foundation
public import OverdueAPI
import OverdueCore
import SwiftProtobuf

/// A member's bulk filing read from CSV: one row per invoice, rows grouped into one filing per
/// party and member reference. Each filing's request id is derived from its rows' content, so
/// importing the same file again files nothing new (the registry returns the first receipts).
///
/// Columns (header names, any order; extra columns are ignored): `party`, `scheme`, `legal_name`,
/// `currency`, `invoice_number`, `issued_on`, `due_on`, `amount` (major units), `notice_served_on`,
/// `member_reference`, `evidence` (file paths separated by `;`).
public struct ListingImport: Sendable {
  /// One filing and the CSV lines it came from.
  public struct Filing: Sendable {
    public var lines: [Int]
    public var request: Overdue_V1_FileDefaultRequest
  }

  /// Rows that could not become a filing, with the reason.
  public struct Rejection: Sendable {
    public var lines: [Int]
    public var reason: String
  }

  public static let requiredColumns = [
    "party", "legal_name", "currency", "invoice_number", "issued_on", "due_on", "amount",
    "notice_served_on",
  ]

  public private(set) var filings: [Filing] = []
  public private(set) var rejections: [Rejection] = []
  public private(set) var rowCount = 0

  /// Reads the CSV; `loadEvidence` turns a path into a document (relative paths are the caller's).
  public init(csv text: String, loadEvidence: (String) throws -> Overdue_V1_Evidence) throws {
    var reader = CSVReader(text)
    guard let headerRow = reader.next() else {
      throw BatchLedger.FormatError(description: "the file holds no rows")
    }
    let names = headerRow.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    let missing = Self.requiredColumns.filter { !names.contains($0) }
    guard missing.isEmpty else {
      throw BatchLedger.FormatError(
        description: "missing column(s): \(missing.joined(separator: ", "))")
    }
    func column(_ fields: [String], _ name: String) -> String {
      guard let index = names.firstIndex(of: name), index < fields.count else { return "" }
      return fields[index].trimmingCharacters(in: .whitespaces)
    }
    var groups: [String: Int] = [:]
    var pending: [(lines: [Int], rows: [[String]])] = []
    while let row = reader.next() {
      if let error = row.error { throw BatchLedger.FormatError(description: error.description) }
      rowCount += 1
      let key =
        column(row.fields, "party").uppercased() + "\u{1F}" + column(row.fields, "member_reference")
      if let index = groups[key] {
        pending[index].lines.append(row.line)
        pending[index].rows.append(row.fields)
      } else {
        groups[key] = pending.count
        pending.append(([row.line], [row.fields]))
      }
    }
    for group in pending {
      do {
        filings.append(
          Filing(
            lines: group.lines,
            request: try Self.request(group.rows, column: column, loadEvidence: loadEvidence)))
      } catch {
        rejections.append(Rejection(lines: group.lines, reason: "\(error)"))
      }
    }
  }

  static func request(
    _ rows: [[String]], column: ([String], String) -> String,
    loadEvidence: (String) throws -> Overdue_V1_Evidence
  ) throws -> Overdue_V1_FileDefaultRequest {
    let first = rows[0]
    var request = Overdue_V1_FileDefaultRequest()
    request.party.value = column(first, "party")
    request.party.scheme = column(first, "scheme")
    request.legalName = column(first, "legal_name")
    request.currency = column(first, "currency").uppercased()
    request.noticeServedOn = column(first, "notice_served_on")
    for shared in ["legal_name", "currency", "notice_served_on", "scheme"] {
      guard rows.allSatisfy({ column($0, shared) == column(first, shared) }) else {
        throw BatchLedger.FormatError(description: "rows of one filing disagree on \(shared)")
      }
    }
    var paths: [String] = []
    for row in rows {
      var invoice = Overdue_V1_Invoice()
      invoice.number = column(row, "invoice_number")
      invoice.issuedOn = column(row, "issued_on")
      invoice.dueOn = column(row, "due_on")
      invoice.amountMinor = try MoneyText.minor(column(row, "amount"), currency: request.currency)
      request.invoices.append(invoice)
      paths += column(row, "evidence").split(separator: ";").map {
        $0.trimmingCharacters(in: .whitespaces)
      }
    }
    var digest = SHA256()
    digest.update(data: try request.serializedBytes() as [UInt8])
    request.evidence = try paths.filter { !$0.isEmpty }.map(loadEvidence)
    for document in request.evidence { digest.update(data: document.content) }
    request.requestID =
      "import-" + digest.finalize().prefix(16).map { String(format: "%02x", $0) }.joined()
    return request
  }
}
