import Foundation
import GRPCCore
import OverdueAPI
import OverdueCertificates
import OverdueClient
import OverdueStore
import Testing

/// Every mutating RPC against every kind of caller: the expected status, nothing written when
/// refused, and an audit row for each refusal.
@Suite("End to end over TLS: the authorization matrix")
struct AuthorizationMatrixTests {
  enum Caller: CaseIterable {
    case owner, otherMember, suspendedOwner, revokedOwner, `operator`
  }

  /// What a call needs: a listing in the right state, owned by the caller where it is a member.
  enum Target { case none, pending, listed, disputed }

  struct RPC: Sendable {
    let name: String
    let target: Target
    let call: @Sendable (RegistryClients, String) async throws -> Void
  }

  static let memberRPCs: [RPC] = [
    RPC(name: "FileDefault", target: .none) { clients, _ in
      _ = try await clients.members.fileDefault(Requests.filing(invoice: UUID().uuidString))
    },
    RPC(name: "AmendListing", target: .pending) { clients, listing in
      var request = Overdue_V1_AmendListingRequest()
      request.requestID = UUID().uuidString
      request.listingID = listing
      request.legalName = "Acme Fabrication Private Limited"
      _ = try await clients.members.amendListing(request)
    },
    RPC(name: "RecordPayment", target: .listed) { clients, listing in
      var request = Overdue_V1_RecordPaymentRequest()
      request.requestID = UUID().uuidString
      request.listingID = listing
      request.amountMinor = 10_000_00
      request.paidOn = "2026-11-20"
      _ = try await clients.members.recordPayment(request)
    },
    RPC(name: "AgreePaymentPlan", target: .listed) { clients, listing in
      var request = Overdue_V1_AgreePaymentPlanRequest()
      request.requestID = UUID().uuidString
      request.listingID = listing
      request.instalments = [("2026-12-15", Int64(100_000_00)), ("2027-01-15", 145_000_00)].map {
        var instalment = Overdue_V1_Instalment()
        instalment.dueOn = $0.0
        instalment.amountMinor = $0.1
        return instalment
      }
      _ = try await clients.members.agreePaymentPlan(request)
    },
    RPC(name: "ConfirmSettlement", target: .listed) { clients, listing in
      _ = try await clients.members.confirmSettlement(Requests.settle(listing))
    },
    RPC(name: "WithdrawListing", target: .listed) { clients, listing in
      var request = Overdue_V1_WithdrawListingRequest()
      request.requestID = UUID().uuidString
      request.listingID = listing
      request.reason = .privateAgreement
      _ = try await clients.members.withdrawListing(request)
    },
  ]

  static let operatorRPCs: [RPC] = [
    RPC(name: "VerifyListing", target: .pending) { clients, listing in
      _ = try await clients.operator.verifyListing(Requests.verify(listing))
    },
    RPC(name: "RejectListing", target: .pending) { clients, listing in
      var request = Overdue_V1_RejectListingRequest()
      request.requestID = UUID().uuidString
      request.listingID = listing
      request.reason = "no proof of delivery"
      _ = try await clients.operator.rejectListing(request)
    },
    RPC(name: "RecordDispute", target: .listed) { clients, listing in
      var request = Overdue_V1_RecordDisputeRequest()
      request.requestID = UUID().uuidString
      request.listingID = listing
      request.statement = "goods were faulty"
      request.raisedOn = "2026-11-21"
      _ = try await clients.operator.recordDispute(request)
    },
    RPC(name: "DecideDispute", target: .disputed) { clients, listing in
      var request = Overdue_V1_DecideDisputeRequest()
      request.requestID = UUID().uuidString
      request.listingID = listing
      request.outcome = .forMember
      request.reason = "delivery proven"
      _ = try await clients.operator.decideDispute(request)
    },
    RPC(name: "SettleOnPartyProof", target: .listed) { clients, listing in
      var request = Overdue_V1_SettleOnPartyProofRequest()
      request.requestID = UUID().uuidString
      request.listingID = listing
      request.settledOn = "2026-11-21"
      request.note = "bank statement"
      _ = try await clients.operator.settleOnPartyProof(request)
    },
    RPC(name: "RegisterMember", target: .none) { clients, _ in
      var request = Overdue_V1_RegisterMemberRequest()
      request.requestID = UUID().uuidString
      request.displayName = "Deccan Textiles"
      request.identifier.value = "29AAGCB7383J1Z4"
      _ = try await clients.operator.registerMember(request)
    },
  ]

  /// The status each caller should get, nil when the call is accepted.
  static func expected(_ rpc: RPC, from caller: Caller, operatorService: Bool) -> RPCError.Code? {
    switch (caller, operatorService) {
    case (.revokedOwner, _): return .unauthenticated
    case (.operator, false), (.owner, true), (.otherMember, true), (.suspendedOwner, true):
      return .permissionDenied
    case (.operator, true), (.owner, false): return nil
    case (.otherMember, false): return rpc.target == .none ? nil : .notFound
    case (.suspendedOwner, false): return .permissionDenied
    }
  }

  @Test func everyMutatingCallFromEveryKindOfCaller() async throws {
    try await TestRegistry.with { registry in
      let (_, owner) = try await registry.onboardMember(
        name: "Sharma Steel Traders", gstin: "24AAACC1206D1ZM")
      let (_, other) = try await registry.onboardMember(
        name: "Kaveri Foods", gstin: "33AAACH7409R1Z8")
      let (suspendedId, suspended) = try await registry.onboardMember(
        name: "Suspended Traders", gstin: "27AAACT2727Q1ZW")
      let (_, revoked) = try await registry.onboardMember(
        name: "Revoked Traders", gstin: "09AAACI1681G1ZN")
      let identities: [Caller: IdentityDirectory] = [
        .owner: owner, .otherMember: other, .suspendedOwner: suspended, .revokedOwner: revoked,
        .operator: registry.operatorIdentity,
      ]

      /// A listing of `member` in the state `target` asks for.
      func listing(_ target: Target, of member: IdentityDirectory) async throws -> String {
        guard target != .none else { return "" }
        let filed = try await registry.memberConnection(member).withClients {
          try await $0.members.fileDefault(Requests.filing(invoice: UUID().uuidString))
        }
        if target == .pending { return filed.listingID }
        try await registry.asOperator { clients in
          _ = try await clients.operator.verifyListing(Requests.verify(filed.listingID))
          if target == .disputed {
            try await Self.operatorRPCs[2].call(clients, filed.listingID)
          }
        }
        return filed.listingID
      }

      // Listings for the suspended and revoked members, made while they were in good standing.
      var ownListings: [Caller: [Target: String]] = [:]
      for caller in [Caller.suspendedOwner, .revokedOwner] {
        for target in [Target.pending, .listed, .disputed] {
          ownListings[caller, default: [:]][target] = try await listing(
            target, of: identities[caller]!)
        }
      }
      try await registry.asOperator { clients in
        var suspend = Overdue_V1_SuspendMemberRequest()
        suspend.requestID = "suspend"
        suspend.memberID = suspendedId
        suspend.reason = "unpaid fees"
        _ = try await clients.operator.suspendMember(suspend)
        var revoke = Overdue_V1_RevokeCertificateRequest()
        revoke.requestID = "revoke"
        revoke.serialHex = try revoked.serialHex()
        revoke.reason = "key lost"
        _ = try await clients.operator.revokeCertificate(revoke)
      }

      let events = try EventStore(path: registry.eventsPath)
      var mismatches: [String] = []
      for (rpcs, operatorService) in [(Self.memberRPCs, false), (Self.operatorRPCs, true)] {
        for rpc in rpcs {
          for caller in Caller.allCases {
            var target = ownListings[caller]?[rpc.target] ?? ""
            if target.isEmpty { target = try await listing(rpc.target, of: owner) }
            let expected = Self.expected(rpc, from: caller, operatorService: operatorService)
            let (sequence, audited) = (try events.lastSequence(), try events.auditLog().count)
            let refusal = await expectRPCError {
              try await registry.memberConnection(identities[caller]!).withClients {
                try await rpc.call($0, target)
              }
            }
            let audit = try events.auditLog()
            let label = "\(rpc.name) by \(caller)"
            if refusal?.0.code != expected {
              mismatches.append(
                "\(label): \(refusal.map { "\($0.0)" } ?? "OK"), expected \(expected.map { "\($0)" } ?? "OK")"
              )
            } else if expected != nil {
              if try events.lastSequence() != sequence {
                mismatches.append("\(label): events written")
              }
              if audit.count != audited + 1 || audit.last?.action != "Refused" {
                mismatches.append("\(label): no audit row for the refusal")
              }
            }
          }
        }
      }
      #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
      #expect(try events.firstBrokenAuditRow() == nil)
    }
  }
}
