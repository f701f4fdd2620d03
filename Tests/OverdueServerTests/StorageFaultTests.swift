import Foundation
import GRPCCore
import GRPCProtobuf
import OverdueAPI
import OverdueClient
import OverdueServer
import OverdueStore
import Testing

@Suite("End to end over TLS: storage faults")
struct StorageFaultTests {
  @Test(arguments: [StorageFaults.Fault.diskFull, .ioError])
  func aFailedWriteIsNeverAcknowledgedLeavesNothingAndWorksOnceTheFaultClears(
    _ fault: StorageFaults.Fault
  ) async throws {
    let faults = StorageFaults()
    try await TestRegistry.with(configure: { $0.storageFaults = faults }) { registry in
      let (_, member) = try await registry.onboardMember(
        name: "Sharma Steel Traders", gstin: "24AAACC1206D1ZM")
      let connection = registry.memberConnection(member)
      let first = try await connection.withClients {
        try await $0.members.fileDefault(Requests.filing(invoice: "F-1"))
      }
      let events = try EventStore(path: registry.eventsPath)
      let (sequence, auditRows) = (try events.lastSequence(), try events.auditLog().count)

      faults.inject(fault)
      let request = Requests.filing(invoice: "F-2")
      let refusal = await expectRPCError {
        _ = try await connection.withClients { try await $0.members.fileDefault(request) }
      }
      #expect(refusal?.0.code == .unavailable)
      #expect(refusal?.1?.details.compactMap(\.errorInfo).first?.reason == "STORAGE_UNAVAILABLE")
      #expect(try events.lastSequence() == sequence, "no event of the failed write remains")
      #expect(try events.auditLog().count == auditRows, "no audit row of the failed write remains")
      // Reads keep working while writes fail.
      let listed = try await connection.withClients { try await $0.members.listListings(.init()) }
      #expect(listed.listings.map(\.listingID) == [first.listingID])
      #expect(
        try await registry.publicConnection.withClients {
          try await $0.lookup.checkParty(Requests.check())
        }.status == .clear)

      faults.inject(nil)
      let retried = try await connection.withClients { try await $0.members.fileDefault(request) }
      let again = try await connection.withClients { try await $0.members.fileDefault(request) }
      #expect(retried == again, "the retry was applied once")
      let after = try await connection.withClients { try await $0.members.listListings(.init()) }
      #expect(Set(after.listings.map(\.listingID)) == [first.listingID, retried.listingID])
      #expect(try events.firstBrokenAuditRow() == nil)
    }
  }
}
