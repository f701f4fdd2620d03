import Foundation
import GRPCCore
import GRPCProtobuf
import OverdueAPI
import OverdueCertificates
import OverdueClient
import OverdueStore
import Testing

@Suite("End to end over TLS: who may do what")
struct AccessTests {
  @Test func memberBCannotTouchMemberAsListing() async throws {
    try await TestRegistry.with { registry in
      let (_, a) = try await registry.onboardMember(
        name: "Sharma Steel Traders", gstin: "24AAACC1206D1ZM")
      let (_, b) = try await registry.onboardMember(name: "Kaveri Foods", gstin: "33AAACH7409R1Z8")
      let filed = try await registry.memberConnection(a).withClients {
        try await $0.members.fileDefault(Requests.filing())
      }
      _ = try await registry.asOperator {
        try await $0.operator.verifyListing(Requests.verify(filed.listingID))
      }
      let events = try EventStore(path: registry.eventsPath)
      let before = try events.lastSequence()

      let settle = await expectRPCError {
        _ = try await registry.memberConnection(b).withClients {
          try await $0.members.confirmSettlement(Requests.settle(filed.listingID))
        }
      }
      #expect(settle?.0.code == .notFound)
      var get = Overdue_V1_GetListingRequest()
      get.listingID = filed.listingID
      let read = await expectRPCError {
        _ = try await registry.memberConnection(b).withClients {
          try await $0.members.getListing(get)
        }
      }
      #expect(read?.0.code == .notFound)
      let bListings = try await registry.memberConnection(b).withClients {
        try await $0.members.listListings(.init())
      }
      #expect(bListings.listings.isEmpty)

      #expect(try events.lastSequence() == before)
      let stillListed = try await registry.memberConnection(a).withClients {
        try await $0.members.getListing(get)
      }
      #expect(stillListed.state == .listed)
    }
  }

  @Test func thePublicListenerServesNoWrites() async throws {
    try await TestRegistry.with { registry in
      let members = await expectRPCError {
        _ = try await registry.publicConnection.withClients {
          try await $0.members.fileDefault(Requests.filing())
        }
      }
      #expect(members?.0.code == .unimplemented)
      let operators = await expectRPCError {
        _ = try await registry.publicConnection.withClients {
          try await $0.operator.listPendingListings(.init())
        }
      }
      #expect(operators?.0.code == .unimplemented)
    }
  }

  @Test func theMemberListenerRefusesNoCertificateAndForeignCertificates() async throws {
    try await TestRegistry.with { registry in
      let anonymous = await expectRPCError {
        _ = try await registry.memberConnection(nil).withClients {
          try await $0.lookup.checkParty(Requests.check())
        }
      }
      #expect(anonymous?.0.code == .unavailable)

      let foreignCA = try CertificateAuthority.create(commonName: "Somebody else's CA")
      let foreign = try TestRegistry.identity(
        uri: "overdue:operator:intruder", signedBy: foreignCA,
        in: registry.directory.appendingPathComponent("foreign"))
      // Trust the real server, present the foreign certificate.
      try FileManager.default.removeItem(at: foreign.caFile)
      try FileManager.default.copyItem(atPath: registry.caFile, toPath: foreign.caFile.path)
      let intruder = await expectRPCError {
        _ = try await registry.memberConnection(foreign).withClients {
          try await $0.operator.listPendingListings(.init())
        }
      }
      #expect(intruder?.0.code == .unavailable)
    }
  }

  @Test func membersCannotCallTheOperatorService() async throws {
    try await TestRegistry.with { registry in
      let (_, a) = try await registry.onboardMember(
        name: "Sharma Steel Traders", gstin: "24AAACC1206D1ZM")
      let refusal = await expectRPCError {
        _ = try await registry.memberConnection(a).withClients {
          try await $0.operator.listPendingListings(.init())
        }
      }
      #expect(refusal?.0.code == .permissionDenied)
    }
  }

  @Test func aSuspendedMemberCannotFile() async throws {
    try await TestRegistry.with { registry in
      let (memberId, a) = try await registry.onboardMember(
        name: "Sharma Steel Traders", gstin: "24AAACC1206D1ZM")
      var suspend = Overdue_V1_SuspendMemberRequest()
      suspend.requestID = "suspend-1"
      suspend.memberID = memberId
      suspend.reason = "unpaid fees"
      let member = try await registry.asOperator { try await $0.operator.suspendMember(suspend) }
      #expect(member.status == .suspended)
      let refusal = await expectRPCError {
        _ = try await registry.memberConnection(a).withClients {
          try await $0.members.fileDefault(Requests.filing())
        }
      }
      #expect(refusal?.0.code == .permissionDenied)
      #expect(refusal?.1?.details.compactMap(\.errorInfo).first?.reason == "MEMBER_SUSPENDED")
    }
  }

  @Test func aRevokedCertificateIsRefusedAtTheNextCall() async throws {
    try await TestRegistry.with { registry in
      let (memberId, identity) = try await registry.onboardMember(
        name: "Sharma Steel Traders", gstin: "24AAACC1206D1ZM")
      let connection = registry.memberConnection(identity)
      _ = try await connection.withClients { try await $0.members.listListings(.init()) }
      var revoke = Overdue_V1_RevokeCertificateRequest()
      revoke.requestID = "revoke-\(memberId)"
      revoke.serialHex = try identity.serialHex()
      revoke.reason = "key lost"
      _ = try await registry.asOperator { try await $0.operator.revokeCertificate(revoke) }
      let refusal = await expectRPCError {
        _ = try await connection.withClients { try await $0.members.listListings(.init()) }
      }
      #expect(refusal?.0.code == .unauthenticated)
    }
  }

  @Test func operatorsCannotRegisterTheSameBusinessTwice() async throws {
    try await TestRegistry.with { registry in
      _ = try await registry.onboardMember(name: "Sharma Steel Traders", gstin: "24AAACC1206D1ZM")
      var again = Overdue_V1_RegisterMemberRequest()
      again.requestID = "register-again"
      again.displayName = "Sharma Again"
      again.identifier.value = "24AAACC1206D1ZM"
      let refusal = await expectRPCError {
        _ = try await registry.asOperator { try await $0.operator.registerMember(again) }
      }
      #expect(refusal?.0.code == .alreadyExists)
    }
  }
}

@Suite("End to end over TLS: the audit log")
struct AuditEndToEndTests {
  @Test func operatorsReadAVerifiedAuditLogAndMembersCannot() async throws {
    try await TestRegistry.with { registry in
      let (_, identity) = try await registry.onboardMember(
        name: "Sharma Steel Traders", gstin: "24AAACC1206D1ZM")
      let filed = try await registry.memberConnection(identity).withClients {
        try await $0.members.fileDefault(Requests.filing())
      }
      let log = try await registry.asOperator { try await $0.operator.listAudit(.init()) }
      #expect(log.chainIntact)
      #expect(log.rows.map(\.action) == ["MemberRegistered", "CertificateIssued", "ListingFiled"])
      #expect(log.rows.last?.target == filed.listingID)
      let refusal = await expectRPCError {
        _ = try await registry.memberConnection(identity).withClients {
          try await $0.operator.listAudit(.init())
        }
      }
      #expect(refusal?.0.code == .permissionDenied)
    }
  }
}
