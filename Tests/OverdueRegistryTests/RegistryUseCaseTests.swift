import Foundation
import Logging
import OverdueCertificates
import OverdueCore
import OverdueStore
import Testing

@testable import OverdueRegistry

/// The registry's use cases in-process: no gRPC, no TLS, the stores in a temporary directory.
@Suite("Registry use cases in process")
struct RegistryUseCaseTests {
  /// A registry over fresh stores, its log follower running while `body` runs.
  @discardableResult
  static func with<T>(_ body: (Registry) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "overdue-registry-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let registry = try Registry(
      eventStore: try EventStore(path: directory.appendingPathComponent("events.sqlite").path),
      readModel: try ReadModel(path: directory.appendingPathComponent("read.sqlite").path),
      authority: try CertificateAuthority.create(commonName: "test CA"), policy: .defaults,
      clock: RegistryClock(now: { Date(timeIntervalSince1970: 1_795_000_000) }),
      logger: Logger(label: "test"), readYourWritesWait: .seconds(2))
    let follower = Task { await registry.follower.run() }
    defer { follower.cancel() }
    return try await body(registry)
  }

  static let operatorActor = Actor.operator("ops")

  static func key(_ id: String, _ actor: Actor = operatorActor) -> IdempotencyKey {
    IdempotencyKey(principal: actor.description, requestId: id, fingerprint: id)
  }

  @Test func aRegisteredMemberIsVisibleAtItsSequenceAndARetryChangesNothing() async throws {
    try await Self.with { registry in
      let identifier = try PartyIdentifier.parse(scheme: "GSTIN", value: "24AAACC1206D1ZM")
      let member = try await registry.registerMember(
        displayName: "Sharma Steel", identifier: identifier, sector: "Steel",
        actor: Self.operatorActor, key: Self.key("r-1"))
      #expect(member.sequence > 0)
      #expect(registry.readModel.position() >= member.sequence)
      let again = try await registry.registerMember(
        displayName: "Sharma Steel", identifier: identifier, sector: "Steel",
        actor: Self.operatorActor, key: Self.key("r-1"))
      #expect(again == member)
      #expect(try registry.eventStore.lastSequence() == member.sequence)
    }
  }

  @Test func aFloodOfRefusalsWritesABoundedNumberOfAuditRowsAndCountsTheRest() async throws {
    try await Self.with { registry in
      let refusal = RegistryError(
        .unauthenticated, reason: "CERTIFICATE_REVOKED", message: "revoked")
      for _ in 0..<500 {
        _ = await registry.refuse(refusal, by: "member:M-X", call: "overdue.v1.Members/GetListing")
      }
      let rows = try registry.eventStore.auditLog()
      #expect(rows.count >= 1 && rows.count <= 40)
      // Every refusal is accounted for: a row of its own, counted in a later row's note, or
      // still counted for the next row.
      let noted = rows.compactMap { row -> Int? in
        guard let open = row.detail.range(of: " ("), let end = row.detail.range(of: " similar")
        else { return nil }
        return Int(row.detail[open.upperBound..<end.lowerBound])
      }.reduce(0, +)
      #expect(rows.count + noted + registry.refusals.skippedCount(for: "member:M-X") == 500)
    }
  }

  @Test func searchRefusesControlCharactersWithoutAskingStorage() async throws {
    try await Self.with { registry in
      await #expect(throws: RegistryError.self) {
        _ = try await registry.searchParties("acme\u{0}", limit: 10, offset: 0)
      }
    }
  }
}
