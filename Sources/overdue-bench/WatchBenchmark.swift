import ArgumentParser
import Foundation
import GRPCCore
import OverdueAPI
import OverdueCertificates
import OverdueClient
import OverdueServer
import OverdueStore
import SwiftProtobuf
import Synchronization

/// `overdue-bench watch`: Members.Watch against a registry in its own process: catch-up (a stream
/// resumed from the start of a log of N synthetic listings), commit-to-delivery latency with S
/// streams open each watching 100 parties under a steady write load, and server memory per idle
/// stream.
struct WatchBenchmark: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "watch", abstract: "Watch stream catch-up, delivery latency and memory.")

  @Option(help: "Synthetic listings in the log (two events each).") var listed = 100_000
  @Option(help: "Streams open during the latency measurement.") var streams = 1_000
  @Option(help: "Listings verified (each a LISTED change to every stream) during it.") var writes =
    100
  @Option(help: "Writes a second during it.") var rate = 10.0
  @Option(help: "Idle streams for the memory measurement.") var idleStreams = 10_000
  @Option(help: "Data directory to reuse (populated on first use).") var dataDir =
    "/tmp/overdue-bench-watch"

  func run() async throws {
    let data = URL(fileURLWithPath: dataDir)
    let listedIds = try CheckBenchmark.populate(data, listed: listed)
    let server = try ServerProcess(dataDirectory: data, cpu: nil)
    defer { server.stop() }
    let caFile = data.appendingPathComponent("certs/ca.pem").path
    let addresses = try ListenerAddresses.read(data.appendingPathComponent("listeners.json"))
    let operatorConnection = RegistryConnection(
      address: addresses.member, caFile: caFile,
      identity: IdentityDirectory(data.appendingPathComponent("certs/operator")))!
    let watcher = try await onboard(
      operatorConnection, name: "Watching Member", gstin: "33AAACH7409R1Z8", data: data,
      address: addresses.member, caFile: caFile)
    let lister = try await onboard(
      operatorConnection, name: "Listing Member", gstin: "29AAGCB7383J1Z4", data: data,
      address: addresses.member, caFile: caFile)
    // The last 100 synthetic parties: their listings are at the end of the log.
    let watched = Array(listedIds.suffix(100))
    var add = Overdue_V1_AddToWatchlistRequest()
    add.requestID = UUID().uuidString
    add.parties = watched.map { value in .with { $0.value = value } }
    let added = try await watcher.withClients { try await $0.members.addToWatchlist(add) }

    // Catch-up: from the start of the log to the 100 LISTED changes at its end.
    let started = ContinuousClock.now
    let caughtUp = try await watcher.withClients { clients in
      try await clients.members.watch(.with { $0.afterSequence = 0 }) { response in
        var seen = 0
        for try await message in response.messages {
          if case .event = message.kind { seen += 1 }
          if seen == watched.count { break }
        }
        return seen
      }
    }
    let catchUp = ContinuousClock.now - started
    report(
      "catch-up: \(added.sequence) events scanned to \(caughtUp) changes in \(catchUp): \(Int(Double(added.sequence) / catchUp.seconds)) events/s"
    )

    try await latency(
      watcher: watcher, lister: lister, operator: operatorConnection, watched: watched)
    try await idleMemory(watcher: watcher, server: server)
  }

  /// Delivery latency: from the verification's acknowledgment to each stream's receipt.
  func latency(
    watcher: RegistryConnection, lister: RegistryConnection, operator: RegistryConnection,
    watched: [String]
  ) async throws {
    let acknowledged = Instants()
    let received = Instants()
    let (ready, readiness) = AsyncStream.makeStream(of: Void.self)
    try await withThrowingTaskGroup(of: Void.self) { group in
      for connection in 0..<max(1, streams / 100) {
        _ = connection
        group.addTask {
          try await watcher.withClients { clients in
            try await withThrowingTaskGroup(of: Void.self) { streamsOnConnection in
              for _ in 0..<min(100, streams) {
                streamsOnConnection.addTask {
                  let request = Overdue_V1_WatchRequest.with { $0.sendInitialState = true }
                  try await clients.members.watch(request) { response in
                    var listed = 0
                    for try await message in response.messages {
                      switch message.kind {
                      case .initialStateEnd: readiness.yield()
                      case .event(let event) where event.change == .listed:
                        received.record(event.listingID)
                        listed += 1
                        if listed == writes { return }
                      default: break
                      }
                    }
                  }
                }
              }
              try await streamsOnConnection.waitForAll()
            }
          }
        }
      }
      var open = 0
      for await _ in ready {
        open += 1
        if open == streams { break }
      }
      report("latency: \(streams) streams open, each watching \(watched.count) parties")
      let today = Date()
      func day(_ ago: Int) -> String {
        ISO8601DateFormatter.string(
          from: today.addingTimeInterval(Double(-ago) * 86_400), timeZone: .gmt,
          formatOptions: [.withFullDate])
      }
      for index in 0..<writes {
        let pace = ContinuousClock.now + .milliseconds(Int(1000 / rate))
        var filing = Overdue_V1_FileDefaultRequest()
        filing.requestID = UUID().uuidString
        filing.party.value = watched[index % watched.count]
        filing.legalName = "Watched Party \(index)"
        filing.currency = "INR"
        filing.noticeServedOn = day(20)
        filing.invoices = [
          .with {
            $0.number = "W-\(index)-\(UUID().uuidString.prefix(8))"
            $0.issuedOn = day(130)
            $0.dueOn = day(100)
            $0.amountMinor = 500_000_00
          }
        ]
        filing.evidence = [
          .with {
            $0.description_p = "invoice.pdf"
            $0.contentType = "application/pdf"
            $0.content = Data("%PDF-1.4 bench".utf8)
          }
        ]
        let filed = try await lister.withClients { try await $0.members.fileDefault(filing) }
        var verify = Overdue_V1_VerifyListingRequest()
        verify.requestID = UUID().uuidString
        verify.listingID = filed.listingID
        _ = try await `operator`.withClients { try await $0.operator.verifyListing(verify) }
        acknowledged.record(filed.listingID)
        try await Task.sleep(until: pace)
      }
      try await group.waitForAll()
    }
    let acks = Dictionary(acknowledged.all, uniquingKeysWith: { first, _ in first })
    let latencies = received.all.compactMap { id, at in acks[id].map { at - $0 } }.sorted()
    guard !latencies.isEmpty else { throw BenchError("no change was delivered") }
    func ms(_ value: Duration) -> String {
      value.formatted(.units(allowed: [.milliseconds], fractionalPart: .show(length: 2)))
    }
    // A delivery may come before its acknowledgment reaches the writer: negative latency is 0.
    let clamped = latencies.map { max($0, .zero) }
    report(
      "latency: \(clamped.count) deliveries of \(writes) changes at \(rate)/s: p50 \(ms(clamped[clamped.count / 2])), p99 \(ms(clamped[clamped.count * 99 / 100])), max \(ms(clamped.last!)) (from the verification's acknowledgment)"
    )
  }

  /// Server memory per idle stream: RSS with `idleStreams` streams open, less RSS before.
  func idleMemory(watcher: RegistryConnection, server: ServerProcess) async throws {
    let before = server.memoryMiB().current
    let (ready, readiness) = AsyncStream.makeStream(of: Void.self)
    let holder = Task {
      try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<max(1, idleStreams / 100) {
          group.addTask {
            try await watcher.withClients { clients in
              try await withThrowingTaskGroup(of: Void.self) { onConnection in
                for _ in 0..<100 {
                  onConnection.addTask {
                    try await clients.members.watch(.with { $0.sendInitialState = true }) {
                      response in
                      for try await message in response.messages {
                        if case .initialStateEnd = message.kind { readiness.yield() }
                      }
                    }
                  }
                }
                try await onConnection.waitForAll()
              }
            }
          }
        }
        try await group.waitForAll()
      }
    }
    var open = 0
    for await _ in ready {
      open += 1
      if open == idleStreams { break }
    }
    try await Task.sleep(for: .seconds(2))
    let after = server.memoryMiB().current
    report(
      "memory: \(idleStreams) idle streams: server RSS \(before) → \(after) MiB, \(Int(Double(after - before) * 1024 / Double(idleStreams))) KiB per stream"
    )
    holder.cancel()
  }

  func onboard(
    _ operatorConnection: RegistryConnection, name: String, gstin: String, data: URL,
    address: String, caFile: String
  ) async throws -> RegistryConnection {
    let directory = data.appendingPathComponent("certs/bench-\(gstin)")
    let identity = IdentityDirectory(directory)
    if !identity.exists {
      try await operatorConnection.withClients { clients in
        var register = Overdue_V1_RegisterMemberRequest()
        register.requestID = "bench-register-\(gstin)"
        register.displayName = name
        register.identifier.value = gstin
        let member = try await clients.operator.registerMember(register)
        var issue = Overdue_V1_IssueMemberCertificateRequest()
        issue.requestID = "bench-issue-\(gstin)-\(UUID().uuidString)"
        issue.memberID = member.memberID
        let issued = try await clients.operator.issueMemberCertificate(issue)
        try identity.write(
          certificatePEM: issued.certificatePem, privateKeyPEM: issued.privateKeyPem,
          caPEM: issued.caCertificatePem)
      }
    }
    return RegistryConnection(address: address, caFile: caFile, identity: identity)!
  }
}

extension Duration {
  /// The duration in seconds, as a `Double`.
  var seconds: Double {
    Double(components.seconds) + Double(components.attoseconds) / 1e18
  }
}

/// When each listing was seen, from several tasks.
private final class Instants: Sendable {
  private let seen = Mutex<[(String, ContinuousClock.Instant)]>([])

  func record(_ id: String) { seen.withLock { $0.append((id, .now)) } }
  var all: [(String, ContinuousClock.Instant)] { seen.withLock { $0 } }
}
