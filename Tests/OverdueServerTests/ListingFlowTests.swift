import Foundation
import GRPCCore
import GRPCProtobuf
import OverdueAPI
import OverdueClient
import OverdueStore
import Testing

@Suite("End to end over TLS: a listing from filing to settlement")
struct ListingFlowTests {
  @Test func fileVerifyCheckSettleCheckAgain() async throws {
    try await TestRegistry.with { registry in
      let (memberId, identity) = try await registry.onboardMember(
        name: "Sharma Steel Traders", gstin: "24AAACC1206D1ZM")
      let member = registry.memberConnection(identity)

      let filed = try await member.withClients {
        try await $0.members.fileDefault(Requests.filing())
      }
      #expect(filed.state == .pending)

      let beforeVerification = try await registry.publicConnection.withClients {
        try await $0.lookup.checkParty(Requests.check(minSequence: filed.sequence))
      }
      #expect(beforeVerification.status == .clear)
      #expect(beforeVerification.listings.isEmpty)
      #expect(beforeVerification.riskBand.isEmpty)

      let pending = try await registry.asOperator {
        try await $0.operator.listPendingListings(.init())
      }
      #expect(pending.listings.map(\.listingID) == [filed.listingID])
      #expect(pending.listings.first?.memberID == memberId)

      let verified = try await registry.asOperator {
        try await $0.operator.verifyListing(Requests.verify(filed.listingID))
      }
      #expect(verified.state == .listed)

      let active = try await registry.publicConnection.withClients {
        try await $0.lookup.checkParty(Requests.check(minSequence: verified.sequence))
      }
      #expect(active.status == .active)
      #expect(active.legalName == "Acme Fabrication LLP")
      #expect(active.pan == "AAPFU0939F")
      #expect(active.gstinState == "Maharashtra")
      #expect(active.riskBand == "C")
      #expect(active.listings.count == 1)
      #expect(active.listings.first?.memberName == "a verified member")
      #expect(active.listings.first?.outstandingMinor == 245_000_00)
      #expect(active.summary.outstanding.first?.amountMinor == 245_000_00)
      #expect(active.asOfSequence >= verified.sequence)

      // A registered member checking sees who listed the party.
      let byMember = try await member.withClients {
        try await $0.lookup.checkParty(Requests.check())
      }
      #expect(byMember.listings.first?.memberName == "Sharma Steel Traders")

      let settled = try await member.withClients {
        try await $0.members.confirmSettlement(Requests.settle(filed.listingID))
      }
      #expect(settled.state == .settled)

      let resolved = try await registry.publicConnection.withClients {
        try await $0.lookup.checkParty(Requests.check(minSequence: settled.sequence))
      }
      #expect(resolved.status == .resolved)
      #expect(resolved.listings.first?.state == .settled)
      #expect(resolved.listings.first?.settledOn == "2026-11-22")
      #expect(resolved.listings.first?.impactActive == false)
      #expect(resolved.summary.settledInFull == 1)
      #expect(resolved.summary.outstanding.first?.amountMinor == 0)

      // By PAN: the same listing, marked with the GSTIN it was filed under.
      let byPAN = try await registry.publicConnection.withClients {
        try await $0.lookup.checkParty(Requests.check("AAPFU0939F"))
      }
      #expect(byPAN.listings.first?.filedUnder.value == Requests.buyer)
      #expect(byPAN.related.map(\.value) == [Requests.buyer])
    }
  }

  @Test func verifyBeforeTheNoticePeriodEndsIsAFailedPrecondition() async throws {
    try await TestRegistry.with { registry in
      let (_, identity) = try await registry.onboardMember(
        name: "Sharma Steel Traders", gstin: "24AAACC1206D1ZM")
      let filed = try await registry.memberConnection(identity).withClients {
        try await $0.members.fileDefault(Requests.filing(notice: "2026-11-20"))
      }
      let refusal = await expectRPCError {
        _ = try await registry.asOperator {
          try await $0.operator.verifyListing(Requests.verify(filed.listingID))
        }
      }
      #expect(refusal?.0.code == .failedPrecondition)
      #expect(refusal?.1?.details.compactMap(\.errorInfo).first?.reason == "NOTICE_PERIOD_NOT_OVER")
      let listing = try await registry.asOperator {
        try await $0.operator.listPendingListings(.init())
      }
      #expect(listing.listings.first?.state == .pending)
    }
  }

  @Test func anInvalidGSTINNamesTheField() async throws {
    try await TestRegistry.with { registry in
      let refusal = await expectRPCError {
        _ = try await registry.publicConnection.withClients {
          try await $0.lookup.checkParty(Requests.check("27AAPFU0939F1ZX"))
        }
      }
      #expect(refusal?.0.code == .invalidArgument)
      let violation = refusal?.1?.details.compactMap(\.badRequest).first?.violations.first
      #expect(violation?.field == "party.value")
      #expect(violation?.violationDescription == "GSTIN check character should be 'V', got 'X'")
      #expect(
        refusal?.1?.details.compactMap(\.errorInfo).first?.reason == "INVALID_CHECK_CHARACTER")

      let (_, identity) = try await registry.onboardMember(
        name: "Sharma Steel Traders", gstin: "24AAACC1206D1ZM")
      let filingRefusal = await expectRPCError {
        _ = try await registry.memberConnection(identity).withClients {
          try await $0.members.fileDefault(Requests.filing(party: "27AAPFU0939F1ZX"))
        }
      }
      #expect(filingRefusal?.0.code == .invalidArgument)
      #expect(
        filingRefusal?.1?.details.compactMap(\.badRequest).first?.violations.first?.field
          == "party.value")
    }
  }

  @Test func aRetriedRequestIdGivesTheSameReceiptAndOneEvent() async throws {
    try await TestRegistry.with { registry in
      let (_, identity) = try await registry.onboardMember(
        name: "Sharma Steel Traders", gstin: "24AAACC1206D1ZM")
      let events = try EventStore(path: registry.eventsPath)
      let before = try events.lastSequence()
      let request = Requests.filing(requestId: "file-acme-1")
      let (first, second) = try await registry.memberConnection(identity).withClients { clients in
        (
          try await clients.members.fileDefault(request),
          try await clients.members.fileDefault(request)
        )
      }
      #expect(first == second)
      #expect(try events.lastSequence() == before + 1)

      var altered = request
      altered.legalName = "Someone Else Ltd"
      let reuse = await expectRPCError {
        _ = try await registry.memberConnection(identity).withClients {
          try await $0.members.fileDefault(altered)
        }
      }
      #expect(reuse?.0.code == .alreadyExists)
      #expect(reuse?.1?.details.compactMap(\.errorInfo).first?.reason == "REQUEST_ID_REUSED")
      #expect(try events.lastSequence() == before + 1)
    }
  }

  @Test func theSameInvoiceCannotBeListedTwice() async throws {
    try await TestRegistry.with { registry in
      let (_, a) = try await registry.onboardMember(
        name: "Sharma Steel Traders", gstin: "24AAACC1206D1ZM")
      let (_, b) = try await registry.onboardMember(name: "Kaveri Foods", gstin: "33AAACH7409R1Z8")
      _ = try await registry.memberConnection(a).withClients {
        try await $0.members.fileDefault(Requests.filing())
      }
      let refusal = await expectRPCError {
        _ = try await registry.memberConnection(b).withClients {
          try await $0.members.fileDefault(Requests.filing())
        }
      }
      #expect(refusal?.0.code == .alreadyExists)
      #expect(refusal?.1?.details.compactMap(\.errorInfo).first?.reason == "DUPLICATE_INVOICE")
    }
  }

  @Test func healthIsServedOnThePublicListener() async throws {
    try await TestRegistry.with { registry in
      let response = try await registry.publicConnection.withClients {
        try await $0.health.check(.init())
      }
      #expect(response.status == .serving)
    }
  }
}
