import Foundation
import OverdueAPI
import OverdueCertificates
import OverdueClient
import Testing

@Suite("The demo registry")
struct DemoRegistryTests {
  @Test func coversEveryStatusAndHidesWhatChecksNeverShow() async throws {
    try await TestRegistry.with(demo: true) { registry in
      try await registry.publicConnection.withClients { clients in
        func status(of name: String) async throws -> (
          Overdue_V1_ImpactStatus, Overdue_V1_PartyReport
        )? {
          var search = Overdue_V1_SearchPartiesRequest()
          search.query = name
          guard
            let match = try await clients.lookup.searchParties(search).matches.first(where: {
              $0.legalName == name
            })
          else { return nil }
          var check = Overdue_V1_CheckPartyRequest()
          check.party = match.party
          let report = try await clients.lookup.checkParty(check)
          return (report.status, report)
        }
        let acme = try await status(of: "Acme Fabrication LLP")
        #expect(acme?.0 == .active)
        #expect(acme?.1.listings.count == 2)  // the PAN group: two GSTINs, two members
        #expect(try await status(of: "Narmada Agro Industries")?.0 == .onPlan)
        let breached = try await status(of: "Orient Plastics Limited")
        #expect(breached?.0 == .active)
        #expect(breached?.1.summary.plansBreached == 1)
        #expect(try await status(of: "Malabar Spices & Co")?.0 == .disputed)
        #expect(try await status(of: "Vijay Motors Private Limited")?.0 == .resolved)
        #expect(try await status(of: "Lotus Garments LLP")?.1.summary.settledForLess == 1)
        #expect(try await status(of: "Royal Tiles Limited")?.1.repeatDefaulter == true)
        for hidden in ["Indus Chemicals Limited", "Sagar Logistics", "Pioneer Electricals"] {
          #expect(try await status(of: hidden) == nil, "\(hidden) must not be public")
        }
      }
      let identity = IdentityDirectory(
        registry.directory.appendingPathComponent("data/certs/demo/sharma"))
      #expect(identity.exists)
      let mine = try await registry.memberConnection(identity).withClients {
        try await $0.members.listListings(.init())
      }
      #expect(mine.listings.count >= 8)
    }
  }
}
