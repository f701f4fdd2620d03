public import Logging
import OverdueCore
import OverdueStore
public import ServiceLifecycle

/// Queues every member's watch changes for its webhook as they commit (for members who asked):
/// one change feed per member, from the cursor stored with its settings, woken by the log
/// follower. A change is queued with the cursor that passes it, so none is queued twice or lost.
public struct AlertRelay: Service {
  let registry: Registry
  let logger: Logger

  public init(registry: Registry, logger: Logger) {
    self.registry = registry
    self.logger = logger
  }

  public func run() async {
    await cancelWhenGracefulShutdownOrReturn {
      var feeds: [String: (feed: ChangeFeed, cursor: UInt64)] = [:]
      while !Task.isCancelled {
        do {
          let active = try await registry.blocking.run { [registry] () throws(RegistryError) in
            try storageAccess { try registry.eventStore.activeAlertSettings() }
          }.filter { $0.settings.webhook }
          feeds = feeds.filter { entry in active.contains { $0.memberId == entry.key } }
          for (memberId, settings) in active {
            var cursor = settings.alertCursor
            // A member new here, or switched off and on again, starts where its settings say.
            var feed =
              feeds[memberId].flatMap { $0.cursor == cursor ? $0.feed : nil }
            if feed == nil {
              feed = try await ChangeFeed.start(
                registry: registry, memberId: memberId, from: cursor)
            }
            guard var feed else { continue }
            cursor = try await registry.relayAlerts(memberId: memberId, feed: &feed, from: cursor)
            feeds[memberId] = (feed, cursor)
          }
        } catch  where !Task.isCancelled {
          logger.error("queueing alerts failed", metadata: ["error": "\(error)"])
        } catch {
          return
        }
        _ = await registry.follower.waitUntilApplied(
          registry.readModel.position() + 1, timeout: .seconds(1))
      }
    }
  }
}

/// Runs `body` until it returns or a graceful shutdown begins (then the body is cancelled).
func cancelWhenGracefulShutdownOrReturn(_ body: @escaping @Sendable () async -> Void) async {
  try? await cancelWhenGracefulShutdown { await body() }
}
