import Foundation
import OverdueAPI
import OverdueClient
import Testing

@Suite("End to end over TLS: member bulk import")
struct ImportTests {
  static let csv = """
    party,legal_name,currency,invoice_number,issued_on,due_on,amount,notice_served_on,member_reference,evidence
    27AAPFU0939F1ZV,Acme Fabrication LLP,INR,INV-1,2026-06-01,2026-07-01,"1,50,000.50",2026-11-01,A-1,invoice.pdf
    27AAPFU0939F1ZV,Acme Fabrication LLP,INR,INV-2,2026-06-10,2026-07-10,50000,2026-11-01,A-1,
    33AAACH7409R1Z8,Kaveri Foods,INR,KF-9,2026-05-01,2026-06-01,200000,2026-11-01,,
    27AAPFU0939F1ZX,Typo Traders,INR,T-1,2026-05-01,2026-06-01,200000,2026-11-01,,
    27AAACT2727Q1ZW,Bad Amount,INR,B-1,2026-05-01,2026-06-01,12.345,2026-11-01,,
    """

  static func plan() throws -> ListingImport {
    try ListingImport(csv: csv) { path in
      var evidence = Overdue_V1_Evidence()
      evidence.description_p = path
      evidence.contentType = "application/pdf"
      evidence.content = Data("%PDF-1.4 \(path)".utf8)
      return evidence
    }
  }

  @Test func rowsAreGroupedAndBadRowsRejectedWithReasons() throws {
    let plan = try Self.plan()
    #expect(plan.rowCount == 5)
    #expect(plan.filings.map(\.lines) == [[2, 3], [4], [5]])
    #expect(plan.filings[0].request.invoices.map(\.amountMinor) == [150_000_50, 50_000_00])
    #expect(plan.filings[0].request.evidence.count == 1)
    #expect(plan.rejections.map(\.lines) == [[6]])
    #expect(plan.rejections.first?.reason.contains("2 decimals") == true)
    #expect(
      try Self.plan().filings.map(\.request.requestID) == plan.filings.map(\.request.requestID))
  }

  @Test func importingTheSameFileTwiceCreatesNothingNew() async throws {
    try await TestRegistry.with { registry in
      let (_, identity) = try await registry.onboardMember(
        name: "Sharma Steel Traders", gstin: "24AAACC1206D1ZM")
      let member = registry.memberConnection(identity)
      func run() async throws -> [String] {
        try await member.withClients { clients in
          var outcomes: [String] = []
          for filing in try Self.plan().filings {
            do {
              outcomes.append(try await clients.members.fileDefault(filing.request).listingID)
            } catch {
              outcomes.append("rejected")
            }
          }
          return outcomes
        }
      }
      let first = try await run()
      let second = try await run()
      #expect(first == second)
      #expect(first.filter { $0 == "rejected" }.count == 1)  // the invalid GSTIN
      let listings = try await member.withClients { try await $0.members.listListings(.init()) }
      #expect(listings.listings.count == 2)
    }
  }
}
