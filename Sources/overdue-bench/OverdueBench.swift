import ArgumentParser

/// `overdue-bench`: measurements that need a release build and a large registry.
@main
struct OverdueBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "overdue-bench",
    abstract: "Benchmarks for the Overdue registry (build with -c release).",
    subcommands: [
      SearchBenchmark.self, CheckBenchmark.self, WatchBenchmark.self, DeliveryBenchmark.self,
      BenchServer.self,
    ])
}
