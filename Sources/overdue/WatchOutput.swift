import ArgumentParser
import Foundation
import OverdueAPI
import OverdueClient
import SwiftProtobuf

/// How `overdue member watch` shows what its stream sends: a readable line, or a JSON object.
enum WatchOutput {
  static func change(_ kind: Overdue_V1_ChangeKind) -> String {
    switch kind {
    case .listed: return "LISTED"
    case .disputed: return "DISPUTED"
    case .disputeDecided: return "DISPUTE_DECIDED"
    case .onPlan: return "ON_PLAN"
    case .planBreached: return "PLAN_BREACHED"
    case .paymentRecorded: return "PAYMENT_RECORDED"
    case .settled: return "SETTLED"
    case .removed: return "REMOVED"
    case .currentState: return "CURRENT_STATE"
    default: return "UNKNOWN"
    }
  }

  /// `2026-11-23 10:15:02Z`.
  static let lineTime = Date.ISO8601FormatStyle(dateTimeSeparator: .space, timeZone: .gmt)

  /// One line for a person; nil for what only moves the cursor (progress).
  static func line(_ message: Overdue_V1_WatchResponse) -> String? {
    switch message.kind {
    case .event(let event) where event.change == .currentState:
      return "CURRENT \(event.party.value) \(StateNames.status(event.status))"
    case .event(let event):
      var text = "#\(event.sequence)"
      if event.hasAt { text += " " + event.at.date.formatted(lineTime) }
      text += " \(change(event.change)) \(event.party.value)"
      if event.hasFiledUnder && event.filedUnder.value != event.party.value {
        text += " (filed under \(event.filedUnder.value))"
      }
      if !event.listingID.isEmpty { text += " listing \(event.listingID)" }
      return text + " → \(StateNames.status(event.status))"
    case .initialStateEnd(let end):
      return "— current state as of #\(end.sequence); live changes follow —"
    case .progress, nil:
      return nil
    }
  }

  /// One JSON object (keys sorted, as `overdue batch` writes them); empty fields are left out.
  static func json(_ message: Overdue_V1_WatchResponse) throws -> String? {
    var object: [String: Any]
    switch message.kind {
    case .event(let event):
      object = ["type": "event", "sequence": event.sequence]
      var fields = [
        "party": event.party.value, "party_scheme": event.party.scheme,
        "listing_id": event.listingID, "change": change(event.change),
        "status": StateNames.status(event.status),
      ]
      if event.hasFiledUnder {
        fields["filed_under"] = event.filedUnder.value
        fields["filed_under_scheme"] = event.filedUnder.scheme
      }
      if event.hasAt { fields["at"] = event.at.date.formatted(.iso8601) }
      for (name, value) in fields where !value.isEmpty { object[name] = value }
    case .progress(let progress):
      object = ["type": "progress", "sequence": progress.sequence]
    case .initialStateEnd(let end):
      object = ["type": "initial_state_end", "sequence": end.sequence]
    case nil:
      return nil
    }
    let data = try JSONSerialization.data(
      withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
  }

  /// Writes a line to standard output at once (not buffered), so that what was shown is out before
  /// the cursor that covers it is saved.
  static func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
  }

  static func note(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }
}

/// A watch cursor kept in a file: the sequence in decimal. Each save writes a temporary file in
/// the same directory, flushes it to disk and renames it over the file, so the file always holds
/// a whole cursor, the old one or the new.
struct CursorFile: Sendable {
  let path: String

  /// The saved cursor; nil when there is no file yet.
  func load() throws -> UInt64? {
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    let text: String
    do {
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw ValidationError("cannot read the cursor file \(path): \(error.localizedDescription)")
    }
    guard let cursor = WatchPosition.cursor(fromFile: text) else {
      throw ValidationError(
        "\(path) does not hold a cursor (a sequence number); remove it to start afresh")
    }
    return cursor
  }

  struct SaveError: Error, CustomStringConvertible {
    let path: String
    let code: Int32
    var description: String {
      "cannot save the cursor to \(path): \(String(cString: strerror(code)))"
    }
  }

  func save(_ cursor: UInt64) throws {
    let url = URL(fileURLWithPath: path)
    let temporary = url.deletingLastPathComponent()
      .appendingPathComponent(".\(url.lastPathComponent).tmp").path
    let bytes = Array("\(cursor)\n".utf8)
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw SaveError(path: temporary, code: errno) }
    let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
    var code: Int32 = written == bytes.count ? 0 : (written < 0 ? errno : EIO)
    if code == 0 && fsync(descriptor) != 0 { code = errno }
    close(descriptor)
    if code == 0 && rename(temporary, path) != 0 { code = errno }
    guard code == 0 else {
      unlink(temporary)
      throw SaveError(path: path, code: code)
    }
  }
}
