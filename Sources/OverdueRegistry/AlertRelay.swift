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
    try? await cancelWhenGracefulShutdown {
      // Per member: its feed, how far it has scanned, and the cursor its settings hold.
      var feeds: [String: (feed: ChangeFeed, cursor: UInt64, stored: UInt64)] = [:]
      var lastPersisted = ContinuousClock.now
      while !Task.isCancelled {
        do {
          let active = try await registry.blocking.run { [registry] () throws(RegistryError) in
            try storageAccess { try registry.eventStore.activeAlertSettings() }
          }.filter { $0.settings.webhook }
          let activeIds = Set(active.map(\.memberId))
          feeds = feeds.filter { activeIds.contains($0.key) }
          // A cursor that only passed changes of no interest is stored now and then, not on
          // every event: a restart rescans that stretch and finds nothing again.
          let persist = ContinuousClock.now - lastPersisted > .seconds(60)
          if persist { lastPersisted = .now }
          for (memberId, settings) in active {
            // New here, or switched off and on again: start where the settings say.
            var entry = feeds[memberId]
            if entry?.stored != settings.alertCursor {
              entry = (
                try await ChangeFeed.start(
                  registry: registry, memberId: memberId, from: settings.alertCursor),
                settings.alertCursor, settings.alertCursor
              )
            }
            guard var (feed, cursor, stored) = entry else { continue }
            (cursor, stored) = try await registry.relayAlerts(
              memberId: memberId, feed: &feed, from: cursor, stored: stored,
              persistAnyway: persist)
            feeds[memberId] = (feed, cursor, stored)
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
