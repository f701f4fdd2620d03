import ArgumentParser
import Foundation
import GRPCCore
import GRPCProtobuf
import OverdueAPI
import OverdueClient
import SwiftProtobuf

/// `overdue member watchlist …`: the parties whose changes `overdue member watch` streams.
struct WatchlistCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "watchlist",
    abstract: "Keep the list of parties you watch: add, remove, list.",
    subcommands: [WatchlistAdd.self, WatchlistRemove.self, WatchlistList.self])
}

/// The parties of an add or remove: identifiers as arguments and/or a ledger's.
struct WatchlistPartyOptions: ParsableArguments {
  @Argument(help: "Identifiers (GSTIN, PAN, LEI, VAT or REG number), e.g. 27AAPFU0939F1ZV.")
  var identifiers: [String] = []
  @Option(
    help:
      "Also every party in this CSV (an 'identifier' column, optional 'scheme') or list, one per line."
  )
  var csv: String?
  @Option(
    help: "Scheme of the identifiers given as arguments; inferred from the value when omitted.")
  var scheme = ""

  /// The parties, with notes on standard error for rows skipped and identifiers given twice.
  func parties() throws -> WatchlistParties {
    var ledger: BatchLedger?
    if let csv {
      do {
        ledger = try BatchLedger(csv: try String(contentsOfFile: csv, encoding: .utf8))
      } catch let error as BatchLedger.FormatError {
        throw ValidationError("\(csv): \(error.description)")
      }
    }
    let parties = WatchlistParties(
      arguments: identifiers, scheme: scheme, ledger: ledger, ledgerName: csv ?? "")
    if let csv, !parties.skippedLines.isEmpty {
      let skipped = parties.skippedLines
      let lines = Import.lines(Array(skipped.prefix(20))) + (skipped.count > 20 ? ",…" : "")
      WatchOutput.note(
        "\(csv): skipped \(skipped.count) row(s) with no identifier (lines \(lines))")
    }
    if parties.duplicates > 0 {
      WatchOutput.note("\(parties.duplicates) identifier(s) given more than once, sent once")
    }
    guard !parties.entries.isEmpty else {
      throw ValidationError("name at least one party: identifiers as arguments, or --csv FILE")
    }
    return parties
  }
}

/// Sends a watchlist write in calls of at most 10,000 parties, each with its own request id.
enum WatchlistWrite {
  struct Total: Sendable {
    var changed = 0
    var watched: UInt32 = 0
    var sequence: UInt64 = 0
  }

  static func send(
    _ parties: WatchlistParties, requestId: String, verb: String, connection: ConnectionOptions,
    call:
      @escaping @Sendable (RegistryClients, String, [Overdue_V1_PartyIdentifier]) async throws
      -> Overdue_V1_WatchlistChange
  ) async throws -> Total {
    let calls = parties.calls()
    let ids = WatchlistParties.requestIds(base: requestId, calls: calls.count)
    let progress =
      calls.count > 1 ? ProgressReporter(total: parties.entries.count, label: "parties") : nil
    return try await connection.run(requiresIdentity: true) { clients in
      var total = Total()
      var done = 0
      for (index, entries) in calls.enumerated() {
        do {
          let change = try await call(clients, ids[index], entries.map(\.party))
          total.changed += Int(change.changed)
          total.watched = change.watched
          total.sequence = change.sequence
        } catch let error as RPCError {
          explain(error, call: index, of: calls.count, entries: entries, total: total, verb: verb)
          if index > 0 {
            WatchOutput.note(
              "to finish, run the same command again with --request-id \(requestId) (the calls made are not repeated)"
            )
          }
          throw error
        }
        done += entries.count
        progress?.update(done: done, force: index == calls.count - 1)
      }
      return total
    }
  }

  /// Which call failed, what the ones before it did, and where the parties an error names came from.
  static func explain(
    _ error: RPCError, call index: Int, of count: Int, entries: ArraySlice<WatchlistParties.Entry>,
    total: Total, verb: String
  ) {
    if count > 1 {
      WatchOutput.note(
        "call \(index + 1) of \(count) failed"
          + (index > 0
            ? "; the \(index) before it \(verb) \(total.changed) (\(total.watched) watched), as of sequence \(total.sequence)"
            : ""))
    }
    let fields =
      (try? error.unpackGoogleRPCStatus())?.details.compactMap(\.badRequest)
      .flatMap { $0.violations.map(\.field) } ?? []
    for position in WatchlistParties.partyIndexes(inFields: fields).prefix(20)
    where position < entries.count {
      let entry = entries[entries.startIndex + position]
      WatchOutput.note("parties[\(position)] is \(entry.source): \(entry.party.value)")
    }
  }
}

/// `overdue member watchlist add`: start watching parties.
struct WatchlistAdd: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "add",
    abstract: "Watch parties: their public changes appear in `overdue member watch`.")

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var request: RequestIdOption
  @OptionGroup var input: WatchlistPartyOptions

  func run() async throws {
    let total = try await WatchlistWrite.send(
      try input.parties(), requestId: request.requestId, verb: "added", connection: connection
    ) { clients, requestId, parties in
      var message = Overdue_V1_AddToWatchlistRequest()
      message.requestID = requestId
      message.parties = parties
      return try await clients.members.addToWatchlist(message)
    }
    print("added \(total.changed) (\(total.watched) watched now), as of sequence \(total.sequence)")
  }
}

/// `overdue member watchlist remove`: stop watching parties.
struct WatchlistRemove: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "remove", abstract: "Stop watching parties.")

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var request: RequestIdOption
  @OptionGroup var input: WatchlistPartyOptions

  func run() async throws {
    let total = try await WatchlistWrite.send(
      try input.parties(), requestId: request.requestId, verb: "removed", connection: connection
    ) { clients, requestId, parties in
      var message = Overdue_V1_RemoveFromWatchlistRequest()
      message.requestID = requestId
      message.parties = parties
      return try await clients.members.removeFromWatchlist(message)
    }
    print(
      "removed \(total.changed) (\(total.watched) watched now), as of sequence \(total.sequence)")
  }
}

/// `overdue member watchlist list`: every party on the watchlist.
struct WatchlistList: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list", abstract: "List the parties you watch, all pages.")

  @OptionGroup var connection: ConnectionOptions
  @Flag(help: "One JSON object per party (protobuf JSON mapping) for scripts.") var json = false

  func run() async throws {
    var message = Overdue_V1_ListWatchlistRequest()
    message.pageSize = 500
    let parties = try await connection.run(requiresIdentity: true) { [message] clients in
      try await Paging.all(message, token: \.pageToken, next: \.nextPageToken, items: \.parties) {
        try await clients.members.listWatchlist($0)
      }
    }
    if json {
      for party in parties { print(try party.jsonString()) }
      return
    }
    if parties.isEmpty { print("no parties watched") }
    for party in parties {
      print(
        party.scheme.padding(toLength: max(5, party.scheme.count), withPad: " ", startingAt: 0)
          + " " + party.value)
    }
  }
}
