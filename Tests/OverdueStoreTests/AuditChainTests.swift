import Foundation
import GRDB
import OverdueCore
import OverdueStore
import Testing

@Suite("Audit log")
struct AuditChainTests {
  func audited(_ stores: Stores, _ count: Int) throws {
    for index in 1...count {
      _ = try stores.events.perform(
        IdempotencyKey(principal: "operator:o", requestId: "r\(index)", fingerprint: "f"),
        as: Int.self
      ) { session throws(RegistryError) in
        try session.audit(
          AuditEntry(
            actor: "operator:o", action: "Action\(index)", target: "L-\(index)", detail: "d"))
        return index
      }
    }
  }

  @Test func theChainHoldsAndEachRowLinksToTheOneBefore() throws {
    let stores = try Stores()
    try audited(stores, 4)
    let rows = try stores.events.auditLog()
    #expect(rows.count == 4)
    #expect(rows.first?.previousHash == "")
    #expect(zip(rows, rows.dropFirst()).allSatisfy { $1.previousHash == $0.hash })
    #expect(try stores.events.firstBrokenAuditRow() == nil)
  }

  @Test(
    "tampering is detected",
    arguments: [
      "UPDATE audit SET detail = 'nothing happened' WHERE id = 2",
      "DELETE FROM audit WHERE id = 2",
      "UPDATE audit SET actor = 'member:M-X' WHERE id = 3",
    ])
  func tamperingIsDetected(_ tampering: String) throws {
    let stores = try Stores()
    try audited(stores, 4)
    let queue = try DatabaseQueue(
      path: stores.directory.appendingPathComponent("events.sqlite").path)
    try queue.write { try $0.execute(sql: tampering) }
    let broken = try stores.events.firstBrokenAuditRow()
    #expect(broken != nil)
    #expect((broken ?? 0) <= 3)
  }
}
