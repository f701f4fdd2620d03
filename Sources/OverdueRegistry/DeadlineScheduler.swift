public import Logging
public import ServiceLifecycle

/// The scheduler as a lifecycle service: applies time-driven transitions (plan breaches, the end
/// of settled history's retention, maximum listing age), queues the reminders due today and the
/// daily digests, now and then every `interval`.
public struct DeadlineScheduler: Service {
  let registry: Registry
  let interval: Duration
  let logger: Logger

  public init(registry: Registry, interval: Duration, logger: Logger) {
    self.registry = registry
    self.interval = interval
    self.logger = logger
  }

  /// Runs until graceful shutdown (or cancellation), then returns.
  public func run() async {
    try? await cancelWhenGracefulShutdown {
      while !Task.isCancelled {
        do {
          let changed = try await registry.applyDeadlines()
          if changed > 0 {
            logger.info("applied deadlines", metadata: ["listings": "\(changed)"])
          }
          let reminders = try await registry.queueDueReminders()
          let digests = try await registry.queueDigests()
          if reminders + digests > 0 {
            logger.info(
              "queued messages", metadata: ["reminders": "\(reminders)", "digests": "\(digests)"])
          }
        } catch  where !Task.isCancelled {
          logger.error("applying deadlines failed", metadata: ["error": "\(error)"])
        } catch {
          return  // ending: the pool refuses new work once the registry is shutting down
        }
        try await Task.sleep(for: interval)
      }
    }
  }
}
