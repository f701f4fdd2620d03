import Foundation

/// A ledger of parties to check, read from CSV: a header with an `identifier` column (and
/// optionally `scheme`; any other columns are carried through), or one identifier per line.
public struct BatchLedger: Sendable {
  /// One row to check: where it came from, its identifier, and every column as read.
  public struct Row: Sendable {
    public var line: Int
    public var scheme: String
    public var identifier: String
    public var columns: [String]
  }

  /// Why a file cannot be read as a ledger.
  public struct FormatError: Error, CustomStringConvertible {
    public let description: String
  }

  /// The output's leading columns: the header's, or `identifier` for a plain list.
  public let header: [String]
  public let rows: [Row]

  public init(csv text: String) throws {
    var reader = CSVReader(text)
    guard let first = reader.next() else {
      throw FormatError(description: "the file holds no rows")
    }
    if let error = first.error { throw FormatError(description: error.description) }
    let names = first.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    let identifierColumn = names.firstIndex(of: "identifier")
    let schemeColumn = names.firstIndex(of: "scheme")
    var rows: [Row] = []
    if let identifierColumn {
      header = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
      while let next = reader.next() {
        if let error = next.error { throw FormatError(description: error.description) }
        var columns = next.fields
        if columns.count < header.count {
          columns += Array(repeating: "", count: header.count - columns.count)
        }
        rows.append(
          Row(
            line: next.line, scheme: schemeColumn.map { columns[$0] } ?? "",
            identifier: columns[identifierColumn], columns: columns))
      }
    } else if first.fields.count == 1 {
      header = ["identifier"]
      var next: (line: Int, fields: [String], error: CSVReader.UnterminatedQuote?)? = first
      while let row = next {
        if let error = row.error { throw FormatError(description: error.description) }
        guard row.fields.count == 1 else {
          throw FormatError(
            description:
              "line \(row.line): a plain list has one identifier per line; for CSV add a header with an 'identifier' column"
          )
        }
        rows.append(Row(line: row.line, scheme: "", identifier: row.fields[0], columns: row.fields))
        next = reader.next()
      }
    } else {
      throw FormatError(
        description:
          "the header has no 'identifier' column (found: \(first.fields.joined(separator: ", ")))")
    }
    self.rows = rows
  }
}
