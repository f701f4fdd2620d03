import Foundation
import OverdueFuzzTargets
import Testing

/// Every committed fuzzing input (seeds, inputs the fuzzer found interesting, and reproducers of
/// crashes once fixed) goes through its target again on every test run.
@Suite("Fuzzing corpora replayed")
struct FuzzCorpusReplayTests {
  static let corpus = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("fuzz/corpus")

  @Test(arguments: FuzzTargets.all.keys.sorted())
  func everyInputIsHandled(_ name: String) throws {
    let directory = Self.corpus.appendingPathComponent(name)
    let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
    #expect(files.count >= 5, "the \(name) corpus has seeds")
    let target = try #require(FuzzTargets.all[name])
    for file in files {
      target(try Data(contentsOf: directory.appendingPathComponent(file)))
    }
  }
}
