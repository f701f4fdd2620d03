import Foundation
import GRPCCore
import GRPCProtobuf
import OverdueAPI
import OverdueClient
import SwiftProtobuf
import Testing

@Suite("End to end over TLS: plans, disputes, deadlines, search")
struct LifecycleEndToEndTests {
  /// Onboards a member, files and verifies a listing; the member's connection and the listing id.
  func listedDefault(_ registry: TestRegistry) async throws -> (RegistryConnection, String) {
    let (_, identity) = try await registry.onboardMember(
      name: "Sharma Steel Traders", gstin: "24AAACC1206D1ZM")
    let member = registry.memberConnection(identity)
    let filed = try await member.withClients { try await $0.members.fileDefault(Requests.filing()) }
    _ = try await registry.asOperator {
      try await $0.operator.verifyListing(Requests.verify(filed.listingID))
    }
    return (member, filed.listingID)
  }

  func check(_ registry: TestRegistry, after sequence: UInt64 = 0) async throws
    -> Overdue_V1_PartyReport
  {
    try await registry.publicConnection.withClients {
      try await $0.lookup.checkParty(Requests.check(minSequence: sequence))
    }
  }

  /// Polls the public check until `condition` holds (the scheduler runs every 50 ms), at most 5 s.
  func eventually(_ registry: TestRegistry, _ condition: (Overdue_V1_PartyReport) -> Bool)
    async throws
    -> Overdue_V1_PartyReport
  {
    let deadline = ContinuousClock.now + .seconds(5)
    while true {
      let report = try await check(registry)
      if condition(report) || ContinuousClock.now > deadline { return report }
      try await Task.sleep(for: .milliseconds(50))
    }
  }

  func plan(_ listingId: String) -> Overdue_V1_AgreePaymentPlanRequest {
    var request = Overdue_V1_AgreePaymentPlanRequest()
    request.requestID = UUID().uuidString
    request.listingID = listingId
    for (due, amount) in [("2026-12-01", Int64(100_000_00)), ("2027-01-01", Int64(145_000_00))] {
      var instalment = Overdue_V1_Instalment()
      instalment.dueOn = due
      instalment.amountMinor = amount
      request.instalments.append(instalment)
    }
    return request
  }

  func payment(_ listingId: String, _ amount: Int64) -> Overdue_V1_RecordPaymentRequest {
    var request = Overdue_V1_RecordPaymentRequest()
    request.requestID = UUID().uuidString
    request.listingID = listingId
    request.amountMinor = amount
    request.paidOn = "2026-11-23"
    request.reference = "UTR-PRIVATE-1"
    return request
  }

  @Test func aPaymentPlanShowsProgressAndABreachReturnsTheListingToActive() async throws {
    try await TestRegistry.with { registry in
      let (member, listingId) = try await listedDefault(registry)
      let agreed = try await member.withClients {
        try await $0.members.agreePaymentPlan(plan(listingId))
      }
      #expect(agreed.state == .onPlan)
      let paid = try await member.withClients {
        try await $0.members.recordPayment(payment(listingId, 100_000_00))
      }
      let onPlan = try await check(registry, after: paid.sequence)
      #expect(onPlan.status == .onPlan)
      #expect(onPlan.listings.first?.planInstalments == 2)
      #expect(onPlan.listings.first?.planInstalmentsPaid == 1)
      #expect(onPlan.listings.first?.planNextDueOn == "2027-01-01")

      registry.clock.advance(days: 48)  // 2027-01-10: the second instalment is 9 days late
      let breached = try await eventually(registry) { $0.status == .active }
      #expect(breached.status == .active)
      #expect(breached.listings.first?.planBreachedOn == ["2027-01-10"])
      #expect(breached.summary.plansBreached == 1)
      #expect(breached.riskReasons.map(\.code).contains("PLAN_BREACHED"))
      let text = try breached.jsonString()
      #expect(!text.contains("UTR-PRIVATE-1"))
      #expect(!text.contains("INV-1041"))
    }
  }

  @Test func aDisputeIsShownAndAnUpheldDisputeVoidsTheListing() async throws {
    try await TestRegistry.with { registry in
      let (_, listingId) = try await listedDefault(registry)
      var dispute = Overdue_V1_RecordDisputeRequest()
      dispute.requestID = UUID().uuidString
      dispute.listingID = listingId
      dispute.statement = "STATEMENT-PRIVATE: the goods were returned"
      let disputed = try await registry.asOperator { try await $0.operator.recordDispute(dispute) }
      #expect(disputed.state == .disputed)
      let underDispute = try await check(registry, after: disputed.sequence)
      #expect(underDispute.status == .disputed)
      #expect(underDispute.listings.first?.underDispute == true)
      #expect(underDispute.listings.first?.disputes.first?.raisedOn == "2026-11-23")
      #expect(try !underDispute.jsonString().contains("STATEMENT-PRIVATE"))

      var decide = Overdue_V1_DecideDisputeRequest()
      decide.requestID = UUID().uuidString
      decide.listingID = listingId
      decide.outcome = .forParty
      decide.reason = "return receipt produced"
      let voided = try await registry.asOperator { try await $0.operator.decideDispute(decide) }
      #expect(voided.state == .voided)
      let clear = try await check(registry, after: voided.sequence)
      #expect(clear.status == .clear)
      #expect(clear.listings.isEmpty)
    }
  }

  @Test func settledHistoryLeavesThePublicViewAfterFiveYears() async throws {
    try await TestRegistry.with { registry in
      let (member, listingId) = try await listedDefault(registry)
      let settled = try await member.withClients {
        try await $0.members.confirmSettlement(Requests.settle(listingId))
      }
      #expect(try await check(registry, after: settled.sequence).status == .resolved)
      registry.clock.advance(days: 5 * 365 + 2)
      let gone = try await eventually(registry) { $0.status == .clear }
      #expect(gone.status == .clear)
      #expect(gone.listings.isEmpty)
    }
  }

  @Test(
    "refusals over the wire",
    arguments: [
      ("payment on a pending listing", "WRONG_STATE"),
      ("withdraw a settled listing", "WRONG_STATE"),
      ("plan that does not add up", "PLAN_TOTAL_MISMATCH"),
    ])
  func refusals(_ scenario: String, _ reason: String) async throws {
    try await TestRegistry.with { registry in
      let (_, identity) = try await registry.onboardMember(
        name: "Sharma Steel Traders", gstin: "24AAACC1206D1ZM")
      let member = registry.memberConnection(identity)
      let filed = try await member.withClients {
        try await $0.members.fileDefault(Requests.filing())
      }
      let refusal = await expectRPCError {
        try await member.withClients { clients in
          switch scenario {
          case "payment on a pending listing":
            _ = try await clients.members.recordPayment(payment(filed.listingID, 1_00))
          case "withdraw a settled listing":
            _ = try await registry.asOperator {
              try await $0.operator.verifyListing(Requests.verify(filed.listingID))
            }
            _ = try await clients.members.confirmSettlement(Requests.settle(filed.listingID))
            var withdraw = Overdue_V1_WithdrawListingRequest()
            withdraw.requestID = UUID().uuidString
            withdraw.listingID = filed.listingID
            withdraw.reason = .filedInError
            _ = try await clients.members.withdrawListing(withdraw)
          default:
            _ = try await registry.asOperator {
              try await $0.operator.verifyListing(Requests.verify(filed.listingID))
            }
            var bad = plan(filed.listingID)
            bad.instalments.removeLast()
            _ = try await clients.members.agreePaymentPlan(bad)
          }
        }
      }
      #expect(refusal?.1?.details.compactMap(\.errorInfo).first?.reason == reason)
      #expect(refusal?.0.code == (reason == "WRONG_STATE" ? .failedPrecondition : .invalidArgument))
    }
  }

  @Test func nameSearchIsPrefixAndTypoTolerantAndPaged() async throws {
    try await TestRegistry.with { registry in
      let (member, _) = try await listedDefault(registry)
      // A second "Acme" (its legal name is the filing's, "Acme Fabrication LLP", under a sibling
      // GSTIN of another state), so that paging has a second page to find.
      let sibling = try await member.withClients {
        try await $0.members.fileDefault(Requests.filing(party: "29AAPFU0939F1ZR", invoice: "S-1"))
      }
      _ = try await registry.asOperator {
        try await $0.operator.verifyListing(Requests.verify(sibling.listingID))
      }
      func search(_ query: String, pageToken: String = "") async throws
        -> Overdue_V1_SearchPartiesResponse
      {
        var request = Overdue_V1_SearchPartiesRequest()
        request.query = query
        request.pageSize = 1
        request.pageToken = pageToken
        return try await registry.publicConnection.withClients {
          try await $0.lookup.searchParties(request)
        }
      }
      for query in ["acme", "Acme Fab", "fabrication", "acme fabricaton llp"] {
        let found = try await search(query)
        #expect(found.matches.first?.party.value == Requests.buyer, "query \(query)")
        #expect(found.matches.first?.status == .active)
      }
      // Page by page, one match a page: both parties, each once, then no further page.
      let first = try await search("acme")
      #expect(first.matches.count == 1)
      #expect(!first.nextPageToken.isEmpty)
      let second = try await search("acme", pageToken: first.nextPageToken)
      #expect(second.matches.count == 1)
      let found = Set((first.matches + second.matches).map(\.party.value))
      #expect(found == [Requests.buyer, "29AAPFU0939F1ZR"])
      if !second.nextPageToken.isEmpty {
        #expect(try await search("acme", pageToken: second.nextPageToken).matches.isEmpty)
      }
      #expect(try await search("zzzzqqq").matches.isEmpty)
      let tooShort = await expectRPCError { _ = try await search("ac") }
      #expect(tooShort?.0.code == .invalidArgument)
      #expect(
        tooShort?.1?.details.compactMap(\.badRequest).first?.violations.first?.field == "query")
      let badToken = await expectRPCError { _ = try await search("acme", pageToken: "not-a-token") }
      #expect(badToken?.0.code == .invalidArgument)
    }
  }

  @Test func readYourWritesTimesOutWithRetryInfo() async throws {
    try await TestRegistry.with { registry in
      let refusal = await expectRPCError { _ = try await check(registry, after: 1_000_000) }
      #expect(refusal?.0.code == .unavailable)
      #expect(refusal?.1?.details.compactMap(\.retryInfo).isEmpty == false)
    }
  }
}
