import Foundation

/// What a receiver's answer means for the delivery: the status decides, `Retry-After` says when
/// to try again. As Standard Webhooks has it, any other answer than 2xx is a failure to retry on
/// the schedule (a receiver mid-deploy answers 404, one mid-rotation 401), except 410 Gone, which
/// disables the endpoint, and a redirect, which is never followed.
enum WebhookResponseOutcome {
  static func result(status: Int, retryAfter: String?, now: Date) -> DeliveryResult {
    let line = "HTTP \(status)"
    switch status {
    case 200...299:
      return .delivered(detail: line)
    case 410:
      return .gone(detail: line)
    case 400...599:
      return .temporaryFailure(
        detail: line, retryAfter: retryAfter.flatMap { RetryAfter.delay($0, now: now) })
    case 300...399:
      return .permanentFailure(detail: "\(line): redirects are not followed")
    default:
      return .permanentFailure(detail: "\(line): not a final HTTP status")
    }
  }
}
