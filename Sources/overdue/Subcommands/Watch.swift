import ArgumentParser
import Foundation
import GRPCCore
import OverdueAPI
import OverdueClient
import Synchronization

/// `overdue member watch`: the public changes of the parties on your watchlist as they happen,
/// resumable from a cursor, reconnecting when the registry is unavailable.
struct Watch: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print the changes to the parties you watch as they happen (until interrupted).",
    discussion: """
      Each change is one line: its sequence (the cursor), when, what changed, the party (and the \
      identifier the listing was filed under, when another), the listing, and the party's status \
      after it. With --initial-state the current status of every watched party with public \
      listings comes first (CURRENT lines), then a line with the sequence it is as of. With \
      --cursor-file the last sequence received is kept in the file (replaced atomically after each \
      change and progress message), and the next run resumes after it. When the registry is \
      unavailable the stream reconnects from its cursor after 1 s, doubling to 30 s; other errors \
      exit 1.
      """)

  @OptionGroup var connection: ConnectionOptions
  @Option(
    help:
      "Send the changes after this sequence (default: the cursor file's, else 0: every change since the registry began)."
  )
  var after: UInt64?
  @Option(help: "Resume after the sequence in this file when it exists, and keep it up to date.")
  var cursorFile: String?
  @Flag(
    help:
      "Start with the current state of every watched party, then the changes after it (not when resuming from --cursor-file)."
  )
  var initialState = false
  @Flag(help: "One JSON object per line (progress messages too) for scripts.") var json = false

  /// How one stream ended, when it did not end the command.
  enum Ending: Sendable {
    case unavailable(String)
    case ended
  }

  /// What the streams share: where we are, and whether the current stream delivered anything.
  struct Progress {
    var position: WatchPosition
    var delivered = false
  }

  func run() async throws {
    if initialState && after != nil {
      throw ValidationError("--initial-state starts from the current state; leave out --after")
    }
    let file = cursorFile.map { CursorFile(path: $0) }
    var resumeAfter = after
    if after == nil, let file, let saved = try file.load() {
      resumeAfter = saved
      WatchOutput.note("resuming after #\(saved) from \(file.path)")
    }
    let state = Mutex(
      Progress(
        position: WatchPosition(
          resumeAfter: resumeAfter, initialState: initialState && resumeAfter == nil)))
    let json = json
    var backoff = ReconnectBackoff()
    while true {
      let request = state.withLock { $0.position.request }
      let ending = try await connection.run(requiresIdentity: true) { clients -> Ending in
        do {
          try await clients.members.watch(request) { response in
            for try await message in response.messages {
              try state.withLock { try Self.show(message, json: json, file: file, &$0) }
            }
          }
          return .ended
        } catch let error as RPCError where error.code == .unavailable {
          return .unavailable(error.message)
        }
      }
      let (delivered, position) = state.withLock { state in
        defer { state.delivered = false }
        return (state.delivered, state.position)
      }
      let wait = backoff.delay(progressed: delivered)
      let why =
        switch ending {
        case .unavailable(let message):
          "the registry is unavailable" + (message.isEmpty ? "" : " (\(message))")
        case .ended: "the registry ended the stream"
        }
      let from =
        position.initialStatePending
        ? "for the current state again"
        : "after #\(position.cursor ?? 0)"
      WatchOutput.note("\(why); reconnecting in \(wait.components.seconds)s \(from)")
      try await Task.sleep(for: wait)
    }
  }

  /// Shows one message (a line, or a JSON object) and then saves the cursor it moves to.
  static func show(
    _ message: Overdue_V1_WatchResponse, json: Bool, file: CursorFile?, _ state: inout Progress
  ) throws {
    state.delivered = true
    if let line = json ? try WatchOutput.json(message) : WatchOutput.line(message) {
      WatchOutput.emit(line)
    }
    if let cursor = state.position.take(message), let file {
      try file.save(cursor)
    }
  }
}
