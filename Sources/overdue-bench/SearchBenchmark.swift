import ArgumentParser
import Foundation
import OverdueFixtures
import OverdueRegistry
import OverdueServer
import OverdueStore

/// `overdue-bench search`: name-search latency (p50/p99) on a read model of N parties.
struct SearchBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "search", abstract: "Measure SearchParties' read-model query on N parties.")

  @Option(help: "Parties in the registry.") var parties = 200_000
  @Option(help: "Queries to time.") var queries = 400
  @Option(help: "Directory for the databases (default: a new temporary one).") var dataDir: String?

  func run() throws {
    let directory =
      dataDir.map { URL(fileURLWithPath: $0) }
      ?? FileManager.default.temporaryDirectory.appendingPathComponent(
        "overdue-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let events = try EventStore(path: directory.appendingPathComponent("events.sqlite").path)
    let readModel = try ReadModel(path: directory.appendingPathComponent("read.sqlite").path)
    var registry = SyntheticRegistry()
    let started = ContinuousClock.now
    let names = try registry.populate(events, parties: parties) { made in
      if made % 50_000 == 0 { print("filed \(made)") }
    }.names
    try Projector(eventStore: events, readModel: readModel).catchUp()
    print(
      "populated \(parties) parties (write path + projector) in \(ContinuousClock.now - started)")

    var generator = SeededGenerator(seed: 7)
    var samples: [(String, [Duration])] = [("prefix", []), ("word", []), ("typo", [])]
    for index in 0..<queries {
      let name = names.randomElement(using: &generator)!
      let words = name.split(separator: " ")
      let query: String
      switch index % 3 {
      case 0: query = String(name.prefix(6))
      case 1: query = String(words[2])
      default:
        var typo = Array(words[0] + " " + words[1])
        typo.remove(at: typo.count / 2)
        query = String(typo)
      }
      let clock = ContinuousClock()
      let elapsed = try clock.measure {
        _ = try readModel.searchParties(query, limit: 20, offset: 0)
      }
      samples[index % 3].1.append(elapsed)
    }
    for (kind, durations) in samples {
      let sorted = durations.sorted()
      let p50 = sorted[sorted.count / 2]
      let p99 = sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
      print(
        "\(kind): p50 \(p50.formatted(.units(allowed: [.milliseconds], fractionalPart: .show(length: 2)))) p99 \(p99.formatted(.units(allowed: [.milliseconds], fractionalPart: .show(length: 2)))) (\(sorted.count) queries)"
      )
    }
  }
}
