import Foundation
import Testing

@testable import OverdueNotify

@Suite("Webhook response statuses and Retry-After")
struct WebhookResponseOutcomeTests {
  let now = Date(timeIntervalSince1970: 1_800_000_000)

  @Test(arguments: [
    (200, DeliveryResult.delivered(detail: "HTTP 200")),
    (204, .delivered(detail: "HTTP 204")),
    (299, .delivered(detail: "HTTP 299")),
    (410, .gone(detail: "HTTP 410")),
    (408, .temporaryFailure(detail: "HTTP 408", retryAfter: nil)),
    (429, .temporaryFailure(detail: "HTTP 429", retryAfter: nil)),
    (500, .temporaryFailure(detail: "HTTP 500", retryAfter: nil)),
    (503, .temporaryFailure(detail: "HTTP 503", retryAfter: nil)),
    (599, .temporaryFailure(detail: "HTTP 599", retryAfter: nil)),
    (301, .permanentFailure(detail: "HTTP 301: redirects are not followed")),
    (302, .permanentFailure(detail: "HTTP 302: redirects are not followed")),
    (307, .permanentFailure(detail: "HTTP 307: redirects are not followed")),
    (400, .temporaryFailure(detail: "HTTP 400", retryAfter: nil)),
    (401, .temporaryFailure(detail: "HTTP 401", retryAfter: nil)),
    (404, .temporaryFailure(detail: "HTTP 404", retryAfter: nil)),
    (413, .temporaryFailure(detail: "HTTP 413", retryAfter: nil)),
  ])
  func eachStatusMapsToItsResult(_ status: Int, _ expected: DeliveryResult) {
    #expect(WebhookResponseOutcome.result(status: status, retryAfter: nil, now: now) == expected)
  }

  @Test func retryAfterIsKeptForTemporaryFailuresOnly() {
    #expect(
      WebhookResponseOutcome.result(status: 429, retryAfter: "7", now: now)
        == .temporaryFailure(detail: "HTTP 429", retryAfter: .seconds(7)))
    #expect(
      WebhookResponseOutcome.result(status: 503, retryAfter: "120", now: now)
        == .temporaryFailure(detail: "HTTP 503", retryAfter: .seconds(120)))
    #expect(
      WebhookResponseOutcome.result(status: 200, retryAfter: "7", now: now)
        == .delivered(detail: "HTTP 200"))
  }

  @Test(arguments: [
    ("7", Duration?.some(.seconds(7))),
    (" 120 ", .seconds(120)),
    ("0", .zero),
    ("86399", .seconds(86399)),
    ("86400", .seconds(86400)),
    ("1000000", .seconds(86400)),
    ("99999999999999999999999999", .seconds(86400)),
    ("-5", nil),
    ("7.5", nil),
    ("soon", nil),
    ("", nil),
  ])
  func deltaSecondsAreCappedAtADay(_ value: String, _ expected: Duration?) {
    #expect(RetryAfter.delay(value, now: now) == expected)
  }

  @Test func httpDatesInAllThreeFormsAreRead() {
    let reference = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
    #expect(RetryAfter.httpDate("Sun, 06 Nov 1994 08:49:37 GMT") == reference)
    #expect(RetryAfter.httpDate("Sunday, 06-Nov-94 08:49:37 GMT") == reference)
    #expect(RetryAfter.httpDate("Sun Nov  6 08:49:37 1994") == reference)
    #expect(RetryAfter.httpDate("Sun, 31 Feb 1994 08:49:37 GMT") == nil)
    #expect(RetryAfter.httpDate("Sun, 06 Nov 1994 08:49:37 CET") == nil)
    #expect(RetryAfter.httpDate("yesterday") == nil)
  }

  @Test func anHTTPDateGivesTheTimeLeftUntilIt() {
    // 1_800_000_000 is Fri, 15 Jan 2027 08:00:00 GMT.
    #expect(
      RetryAfter.delay("Fri, 15 Jan 2027 08:01:30 GMT", now: now) == .seconds(90))
    #expect(RetryAfter.delay("Fri, 15 Jan 2027 07:00:00 GMT", now: now) == .zero)
    #expect(RetryAfter.delay("Fri, 15 Jan 2038 08:00:00 GMT", now: now) == .seconds(86400))
  }
}
