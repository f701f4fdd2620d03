import Foundation
import Testing

@testable import OverdueNotify

@Suite("Webhook secrets and Standard Webhooks signatures")
struct WebhookSignatureTests {
  // The test vector of the Standard Webhooks 1.0 specification and its reference libraries.
  let vectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
  let vectorId = "msg_p5jXN8AQM9LWM0D4loKWxJek"
  let vectorTimestamp: Int64 = 1_614_265_330
  let vectorBody = Data(#"{"test": 2432232314}"#.utf8)

  @Test func theSpecificationTestVectorSignsAsPublished() throws {
    let secret = try WebhookSecret(vectorSecret)
    let header = WebhookSignature.header(
      id: vectorId, timestamp: vectorTimestamp, body: vectorBody, secrets: [secret])
    #expect(header == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    #expect(
      WebhookSignature.verify(
        header: header, id: vectorId, timestamp: vectorTimestamp, body: vectorBody,
        secret: secret))
  }

  @Test func aChangedIdTimestampOrBodyDoesNotVerify() throws {
    let secret = try WebhookSecret(vectorSecret)
    let header = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    #expect(
      !WebhookSignature.verify(
        header: header, id: vectorId + "x", timestamp: vectorTimestamp, body: vectorBody,
        secret: secret))
    #expect(
      !WebhookSignature.verify(
        header: header, id: vectorId, timestamp: vectorTimestamp + 1, body: vectorBody,
        secret: secret))
    #expect(
      !WebhookSignature.verify(
        header: header, id: vectorId, timestamp: vectorTimestamp,
        body: Data(#"{"test": 2432232315}"#.utf8), secret: secret))
    #expect(
      !WebhookSignature.verify(
        header: header, id: vectorId, timestamp: vectorTimestamp, body: vectorBody,
        secret: .generate()))
    // Only v1 signatures count, and garbage is skipped rather than trusted.
    #expect(
      !WebhookSignature.verify(
        header: "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= v1,!!!", id: vectorId,
        timestamp: vectorTimestamp, body: vectorBody, secret: secret))
  }

  @Test func duringARotationEachSecretSignsAndEachSignatureVerifies() throws {
    let current = WebhookSecret.generate()
    let previous = WebhookSecret.generate()
    let header = WebhookSignature.header(
      id: vectorId, timestamp: vectorTimestamp, body: vectorBody, secrets: [current, previous])
    let signatures = header.split(separator: " ", omittingEmptySubsequences: false)
    #expect(signatures.count == 2)
    #expect(signatures.allSatisfy { $0.hasPrefix("v1,") })
    #expect(!header.contains("  "))
    for secret in [current, previous] {
      #expect(
        WebhookSignature.verify(
          header: header, id: vectorId, timestamp: vectorTimestamp, body: vectorBody,
          secret: secret))
      // Each signature on its own verifies with exactly one of the two secrets.
      let alone = signatures.filter {
        WebhookSignature.verify(
          header: String($0), id: vectorId, timestamp: vectorTimestamp, body: vectorBody,
          secret: secret)
      }
      #expect(alone.count == 1)
    }
  }

  @Test func generatedSecretsAre32RandomBytesThatRoundTrip() throws {
    let secret = WebhookSecret.generate()
    #expect(secret.keyBytes.count == 32)
    #expect(secret.encoded.hasPrefix("whsec_"))
    #expect(try WebhookSecret(secret.encoded) == secret)
    #expect(WebhookSecret.generate() != secret)
    #expect(!String(describing: secret).contains(secret.encoded.dropFirst(6)))
  }

  @Test(arguments: [
    "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",  // no prefix
    "whsec_",  // no key
    "whsec_not base64!",
    "whsec_AAAA",  // 3 bytes, below the 24 the specification asks for
    "whsec_" + Data(repeating: 7, count: 65).base64EncodedString(),  // above 64
  ])
  func malformedSecretsAreRefused(_ text: String) {
    #expect(throws: WebhookSecretError.self) { try WebhookSecret(text) }
  }

  @Test(.enabled(if: ReferenceVerifier.isAvailable, "needs python3 with standardwebhooks"))
  func theReferencePythonLibraryVerifiesOurSignatures() throws {
    let current = WebhookSecret.generate()
    let previous = WebhookSecret.generate()
    let id = "msg_\(UUID().uuidString)"
    let timestamp = Int64(Date().timeIntervalSince1970)
    let body = #"{"type":"listing.published","timestamp":"2026-01-01T00:00:00Z","data":{"n":1}}"#
    let header = WebhookSignature.header(
      id: id, timestamp: timestamp, body: Data(body.utf8), secrets: [current, previous])
    for secret in [current, previous] {
      #expect(
        try ReferenceVerifier.verifies(
          secret: secret.encoded, id: id, timestamp: timestamp, body: body, header: header))
    }
    #expect(
      try !ReferenceVerifier.verifies(
        secret: WebhookSecret.generate().encoded, id: id, timestamp: timestamp, body: body,
        header: header))
  }
}

/// The official `standardwebhooks` Python package, as an independent check of our signatures.
enum ReferenceVerifier {
  static let script = """
    import os, sys
    from standardwebhooks.webhooks import Webhook
    headers = {k: os.environ["SW_" + k.upper().replace("-", "_")]
               for k in ("webhook-id", "webhook-timestamp", "webhook-signature")}
    try:
        Webhook(os.environ["SW_SECRET"]).verify(os.environ["SW_BODY"], headers)
    except Exception as error:
        print(error, file=sys.stderr)
        sys.exit(1)
    """

  static let isAvailable: Bool = (try? run(["-c", "import standardwebhooks"], [:])) == 0

  static func verifies(secret: String, id: String, timestamp: Int64, body: String, header: String)
    throws -> Bool
  {
    try run(
      ["-c", script],
      [
        "SW_SECRET": secret, "SW_WEBHOOK_ID": id, "SW_WEBHOOK_TIMESTAMP": String(timestamp),
        "SW_WEBHOOK_SIGNATURE": header, "SW_BODY": body,
      ]) == 0
  }

  private static func run(_ arguments: [String], _ environment: [String: String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
  }
}
