import ArgumentParser
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import OverdueAPI
import OverdueClient
import OverdueFixtures
import OverdueRegistry
import OverdueServer
import OverdueStore
import Synchronization

/// `overdue-bench checks`: unary CheckParty and BatchCheck throughput over TLS on loopback against
/// a registry of N parties (M of them listed), and the same load against a no-op Lookup on the
/// same transport. The servers run in a child process (`serve`), so its memory is the server's.
struct CheckBenchmark: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "checks",
    abstract: "CheckParty and BatchCheck throughput, as a ratio to a no-op handler.")

  @Option(help: "Parties checked: the listed ones and valid-but-clear others.") var parties =
    1_000_000
  @Option(help: "Parties with a public listing in the read model.") var listed = 100_000
  @Option(help: "Seconds per unary measurement.") var seconds = 10
  @Option(help: "Concurrent unary calls on the connection.") var concurrency = 32
  @Option(help: "Ids per batch measurement (a tenth at one id per message).") var batchIds =
    1_000_000
  @Option(help: "Runs of each measurement, alternating no-op and registry; the median is shown.")
  var rounds = 3
  @Flag(help: "Pin the server to CPU 0 and this load generator to CPU 1.") var pin = false
  @Option(help: "Data directory to reuse (populated on first use).") var dataDir: String?

  func run() async throws {
    let data = URL(
      fileURLWithPath: dataDir
        ?? FileManager.default.temporaryDirectory.appendingPathComponent("overdue-bench-checks")
        .path)
    let listedIds = try populateIfNeeded(data)
    let ids = Self.ids(count: parties, listed: listedIds)
    let started = ContinuousClock.now
    let server = try ServerProcess(dataDirectory: data, cpu: pin ? 0 : nil)
    defer { server.stop() }
    if pin { try pinCurrentProcess(to: 1) }
    report(
      "server pid \(server.process.processIdentifier) ready in \(ContinuousClock.now - started) (projection at start-up), RSS \(server.memoryMiB().current) MiB"
    )
    let caFile = data.appendingPathComponent("certs/ca.pem").path
    let registry = RegistryConnection(host: "127.0.0.1", port: server.registryPort, caFile: caFile)
    let ceiling = RegistryConnection(host: "127.0.0.1", port: server.noOpPort, caFile: caFile)

    _ = try await batch(ceiling, ids: ids, count: 50_000, chunk: 100)  // warm both servers up
    let firstPass = try await batch(registry, ids: ids, count: ids.count, chunk: 1_000)
    report(
      "first pass over all \(ids.count) ids at chunk 1000 (listed parties' rows read from SQLite): \(Int(firstPass)) ids/s"
    )
    report(
      "unary CheckParty, \(concurrency) concurrent calls, \(seconds) s per run, \(rounds) rounds alternating no-op and registry:"
    )
    var unaryRounds: [(noOp: UnaryResult, real: UnaryResult)] = []
    for round in 1...rounds {
      unaryRounds.append((try await unary(ceiling, ids: ids), try await unary(registry, ids: ids)))
      report(
        "  round \(round): no-op \(Int(unaryRounds[round - 1].noOp.rate))/s, registry \(Int(unaryRounds[round - 1].real.rate))/s; server RSS \(server.memoryMiB().current) MiB"
      )
    }
    let medianUnary = Self.medianRound(unaryRounds) { $0.real.rate / $0.noOp.rate }
    report("  no-op:    \(medianUnary.noOp)")
    report(
      "  registry: \(medianUnary.real)   ratio \(String(format: "%.2f", medianUnary.real.rate / medianUnary.noOp.rate)) (median round; ratios \(unaryRounds.map { String(format: "%.2f", $0.real.rate / $0.noOp.rate) }.joined(separator: ", ")))"
    )
    for chunk in [1, 100, 1_000] {
      let count = chunk == 1 ? batchIds / 10 : batchIds
      var batchRounds: [(noOp: BatchResult, real: BatchResult)] = []
      for _ in 0..<rounds {
        let noOp = try await batch(ceiling, ids: ids, count: count, chunk: chunk, server: server)
        let real = try await batch(registry, ids: ids, count: count, chunk: chunk, server: server)
        batchRounds.append((noOp, real))
      }
      let median = Self.medianRound(batchRounds) { $0.real.rate / $0.noOp.rate }
      report(
        "BatchCheck chunk \(chunk): registry \(Int(median.real.rate)) ids/s, no-op \(Int(median.noOp.rate)) ids/s, ratio \(String(format: "%.2f", median.real.rate / median.noOp.rate)) (median round of \(rounds), \(count) ids each; ratios \(batchRounds.map { String(format: "%.2f", $0.real.rate / $0.noOp.rate) }.joined(separator: ", ")))"
      )
      report(
        "  server CPU per id: registry \(String(format: "%.2f", median.real.cpuPerID * 1e6)) µs, no-op \(String(format: "%.2f", median.noOp.cpuPerID * 1e6)) µs; server peak RSS \(batchRounds.map(\.real.peakMiB).max() ?? 0) MiB"
      )
    }
  }

  struct UnaryResult: CustomStringConvertible {
    var rate: Double
    var p50: Duration
    var p99: Duration
    var description: String {
      func ms(_ d: Duration) -> String {
        String(
          format: "%.2f ms",
          Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1e3)
      }
      return "\(Int(rate)) checks/s, p50 \(ms(p50)), p99 \(ms(p99))"
    }
  }

  func unary(_ connection: RegistryConnection, ids: [String]) async throws -> UnaryResult {
    let (seconds, concurrency) = (self.seconds, self.concurrency)
    return try await connection.withClients { clients in
      let deadline = ContinuousClock.now + .seconds(seconds)
      let latencies = Shared([Duration]())
      try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<concurrency {
          group.addTask {
            var local: [Duration] = []
            var index = worker
            let clock = ContinuousClock()
            while clock.now < deadline {
              var request = Overdue_V1_CheckPartyRequest()
              request.party.value = ids[index % ids.count]
              index += concurrency
              local.append(
                try await clock.measure { _ = try await clients.lookup.checkParty(request) })
            }
            latencies.value.withLock { $0 += local }
          }
        }
        try await group.waitForAll()
      }
      let sorted = latencies.value.withLock { $0 }.sorted()
      return UnaryResult(
        rate: Double(sorted.count) / Double(seconds), p50: sorted[sorted.count / 2],
        p99: sorted[sorted.count * 99 / 100])
    }
  }

  /// The round whose `ratio` is the median.
  static func medianRound<Round>(_ rounds: [Round], ratio: (Round) -> Double) -> Round {
    rounds.sorted { ratio($0) < ratio($1) }[rounds.count / 2]
  }

  /// One batch run's throughput, and the server's CPU time per id and peak memory during it.
  struct BatchResult {
    var rate: Double
    var cpuPerID: Double
    var peakMiB: Int
  }

  func batch(
    _ connection: RegistryConnection, ids: [String], count: Int, chunk: Int, server: ServerProcess
  ) async throws -> BatchResult {
    server.resetPeak()
    let cpuBefore = server.cpuSeconds()
    let rate = try await batch(connection, ids: ids, count: count, chunk: chunk)
    return BatchResult(
      rate: rate, cpuPerID: (server.cpuSeconds() - cpuBefore) / Double(count),
      peakMiB: server.memoryMiB().peak)
  }

  func batch(_ connection: RegistryConnection, ids: [String], count: Int, chunk: Int) async throws
    -> Double
  {
    try await connection.withClients { clients in
      let items = AsyncStream<Overdue_V1_BatchItem> { continuation in
        for index in 0..<count {
          var item = Overdue_V1_BatchItem()
          item.correlationID = String(index)
          item.party.value = ids[index % ids.count]
          continuation.yield(item)
        }
        continuation.finish()
      }
      let received = Shared(0)
      let started = ContinuousClock.now
      try await clients.batchCheck(items, chunkSize: chunk) { results in
        received.value.withLock { $0 += results.count }
      }
      let elapsed = ContinuousClock.now - started
      precondition(received.value.withLock { $0 } == count, "every id must be answered")
      return Double(count)
        / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
  }

  /// The parties to check, in a fixed order: every tenth is a listed party, the rest are
  /// valid-but-clear GSTINs.
  static func ids(count: Int, listed: [String]) -> [String] {
    var generator = SyntheticParties(seed: 7)
    return (0..<count).map { index in
      index % 10 == 0 ? listed[index / 10 % listed.count] : generator.gstin()
    }
  }

  /// Populates the data directory through the event log once; returns the listed GSTINs.
  func populateIfNeeded(_ data: URL) throws -> [String] {
    try Self.populate(data, listed: listed)
  }

  /// Populates `data` with `listed` synthetic listed parties once; returns their GSTINs.
  static func populate(_ data: URL, listed: Int) throws -> [String] {
    try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
    let listedFile = data.appendingPathComponent("bench-listed.txt")
    if let text = try? String(contentsOf: listedFile, encoding: .utf8) {
      return text.split(separator: "\n").map(String.init)
    }
    let events = try EventStore(path: data.appendingPathComponent("events.sqlite").path)
    var registry = SyntheticRegistry(seed: 99)
    let started = ContinuousClock.now
    let identifiers = try registry.populate(events, parties: listed) { made in
      if made % 50_000 == 0 { report("filed \(made)") }
    }.identifiers
    try identifiers.joined(separator: "\n").write(to: listedFile, atomically: true, encoding: .utf8)
    report(
      "populated \(listed) listed parties in \(ContinuousClock.now - started) (the server projects them on start)"
    )
    return identifiers
  }
}

/// Prints a line at once (also when standard output is a file), so progress can be followed.
func report(_ line: String) {
  FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// A value shared between tasks.
final class Shared<Value: Sendable>: Sendable {
  let value: Mutex<Value>
  init(_ value: Value) { self.value = Mutex(value) }
}
