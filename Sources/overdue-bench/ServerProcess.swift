import Foundation
import OverdueFixtures
import OverdueRegistry

/// `overdue-bench serve` running as a child process (optionally pinned to one CPU with
/// `taskset`), with its ports and its memory as the kernel reports it.
final class ServerProcess {
  let process = Process()
  let input = Pipe()
  let registryPort: Int
  let noOpPort: Int

  init(dataDirectory: URL, cpu: Int?) throws {
    let bench = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
    let arguments = ["serve", "--data-dir", dataDirectory.path]
    if let cpu {
      process.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
      process.arguments = ["-c", String(cpu), bench] + arguments
    } else {
      process.executableURL = URL(fileURLWithPath: bench)
      process.arguments = arguments
    }
    let output = Pipe()
    process.standardOutput = output
    process.standardInput = input
    try process.run()
    var line = Data()
    while !line.contains(UInt8(ascii: "\n")) {
      let more = output.fileHandleForReading.availableData
      guard !more.isEmpty else { throw BenchError("the bench server exited before listening") }
      line += more
    }
    let ports = String(decoding: line, as: UTF8.self).split(whereSeparator: \.isWhitespace)
      .compactMap { Int($0) }
    guard ports.count == 2 else { throw BenchError("unexpected bench server output") }
    (registryPort, noOpPort) = (ports[0], ports[1])
  }

  /// Resident memory now and at its peak since the last `resetPeak`, in MiB.
  func memoryMiB() -> (current: Int, peak: Int) {
    guard
      let status = try? String(
        contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
    else { return (0, 0) }
    func kib(_ field: String) -> Int {
      let line = status.split(separator: "\n").first { $0.hasPrefix(field) } ?? ""
      return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }
    return (kib("VmRSS:") / 1024, kib("VmHWM:") / 1024)
  }

  /// CPU time (user and system, all threads) the server has used so far, in seconds.
  func cpuSeconds() -> Double {
    cpuTime(statFile: "/proc/\(process.processIdentifier)/stat")
  }

  /// Starts a new peak-memory measurement (Linux: writing 5 to clear_refs resets VmHWM).
  func resetPeak() {
    try? "5".write(
      toFile: "/proc/\(process.processIdentifier)/clear_refs", atomically: false, encoding: .utf8)
  }

  /// Closes the child's standard input, which ends it, and waits.
  func stop() {
    try? input.fileHandleForWriting.close()
    process.waitUntilExit()
  }
}

/// CPU time (user and system) of the process or thread whose `stat` file is `path`
/// (`/proc/PID/stat`, `/proc/self/task/TID/stat`) so far, in seconds.
func cpuTime(statFile path: String) -> Double {
  guard let stat = try? String(contentsOfFile: path, encoding: .utf8),
    let nameEnd = stat.lastIndex(of: ")")
  else { return 0 }
  // After the command name's ")": fields 3 (state) onwards; utime and stime are 14 and 15.
  let fields = stat[nameEnd...].split(separator: " ")
  let ticks = (Double(fields[12]) ?? 0) + (Double(fields[13]) ?? 0)
  return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// A benchmark set-up failure, with what went wrong.
struct BenchError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Pins this process to one CPU (with `taskset`), so it does not compete with a pinned server.
func pinCurrentProcess(to cpu: Int) throws {
  let taskset = Process()
  taskset.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
  taskset.arguments = ["-a", "-pc", String(cpu), String(ProcessInfo.processInfo.processIdentifier)]
  taskset.standardOutput = FileHandle.nullDevice
  try taskset.run()
  taskset.waitUntilExit()
}
