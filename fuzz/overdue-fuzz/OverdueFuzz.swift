import Foundation
import OverdueFuzzTargets

/// libFuzzer's driver (linked in by `-sanitize=fuzzer`).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
  _ argc: UnsafeMutablePointer<CInt>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
  _ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The target this run feeds, chosen once before the driver starts.
nonisolated(unsafe) var selectedTarget: (@Sendable (Data) -> Void)?

/// `OVERDUE_FUZZ_TARGET=NAME overdue-fuzz [libFuzzer options] CORPUS...` (see scripts/fuzz).
@main
enum OverdueFuzz {
  static func main() {
    let name = ProcessInfo.processInfo.environment["OVERDUE_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTargets.all[name] else {
      FileHandle.standardError.write(
        Data("set OVERDUE_FUZZ_TARGET to one of \(FuzzTargets.all.keys.sorted())\n".utf8))
      exit(2)
    }
    selectedTarget = target
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(
      runFuzzerDriver(&argc, &argv) { bytes, count in
        selectedTarget?(bytes.map { Data(bytes: $0, count: count) } ?? Data())
        return 0
      })
  }
}
