import Foundation

/// Progress of a long run on standard error: a redrawn bar on a terminal, a plain line every few
/// seconds otherwise (logs, CI).
final class ProgressReporter {
  let total: Int
  let label: String
  private let started = Date()
  private let isTerminal = isatty(STDERR_FILENO) == 1
  private var lastShown = Date.distantPast
  private var lastDone = -1

  init(total: Int, label: String) {
    self.total = total
    self.label = label
  }

  func update(done: Int, force: Bool = false) {
    let now = Date()
    let interval = isTerminal ? 0.1 : 2.0
    guard done != lastDone, force || now.timeIntervalSince(lastShown) >= interval else { return }
    lastShown = now
    lastDone = done
    let elapsed = max(now.timeIntervalSince(started), 0.001)
    let rate = Double(done) / elapsed
    let remaining = rate > 0 ? Double(total - done) / rate : 0
    let counts = "\(done)/\(total) \(label)  \(Int(rate))/s  ETA \(Int(remaining.rounded()))s"
    if isTerminal {
      let width = 30
      let filled = total == 0 ? width : width * done / total
      let bar =
        String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
      FileHandle.standardError.write(Data("\r[\(bar)] \(counts)\u{1B}[K".utf8))
      if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
    } else {
      FileHandle.standardError.write(Data("progress: \(counts)\n".utf8))
    }
  }
}
