import Foundation

/// What a receiver's answer means for the delivery: the status decides, `Retry-After` says when
/// to try again.
enum WebhookResponseOutcome {
  static func result(status: Int, retryAfter: String?, now: Date) -> DeliveryResult {
    let line = "HTTP \(status)"
    switch status {
    case 200...299:
      return .delivered(detail: line)
    case 410:
      return .gone(detail: line)
    case 408, 429, 500...599:
      return .temporaryFailure(
        detail: line, retryAfter: retryAfter.flatMap { RetryAfter.delay($0, now: now) })
    case 300...399:
      return .permanentFailure(detail: "\(line): redirects are not followed")
    case 400...499:
      return .permanentFailure(detail: line)
    default:
      return .permanentFailure(detail: "\(line): not a final HTTP status")
    }
  }
}
