import Foundation
import OverdueCore
import OverdueFixtures
import OverdueRegistry
import OverdueServer
import OverdueStore

/// A large registry made of realistic-looking parties (valid GSTINs, company-like names), written
/// through the event log and folded into the read model by the real projector.
struct SyntheticRegistry {
  var parties: SyntheticParties

  init(seed: UInt64 = 42) { parties = SyntheticParties(seed: seed) }

  /// Files and verifies `count` listings (one party each) through the event log, in batches.
  mutating func populate(_ events: EventStore, parties count: Int, progress: (Int) -> Void) throws
    -> (names: [String], identifiers: [String])
  {
    let member = Member(
      id: "M-BENCH", displayName: "Benchmark Member",
      identifier: PartyIdentifier(unchecked: .gstin, "24AAACC1206D1ZM"),
      sector: "Wholesale")
    _ = try events.perform(systemRequest: "bench-member") { session throws(RegistryError) in
      try session.append([.member(id: member.id, .registered(member))])
    }
    var names: [String] = []
    var identifiers: [String] = []
    let batch = 2_000
    var made = 0
    while made < count {
      var logged: [RegistryEvent] = []
      for index in made..<min(count, made + batch) {
        let party = PartyIdentifier(unchecked: .gstin, parties.gstin())
        let legalName = parties.name()
        names.append(legalName)
        identifiers.append(party.value)
        let id = String(format: "L-BENCH-%08d", index)
        let listing = Listing(
          id: id, memberId: member.id, party: party, pan: party.linkedPAN, legalName: legalName,
          currency: "INR",
          invoices: [
            Invoice(
              number: "B\(index)", issuedOn: CalendarDate("2026-05-01")!,
              dueOn: CalendarDate("2026-06-01")!,
              amountMinor: 500_000)
          ],
          noticeServedOn: CalendarDate("2026-09-01")!, evidence: [], state: .pending,
          filedOn: CalendarDate("2026-09-02")!)
        logged.append(.listing(id: id, .filed(listing)))
        logged.append(
          .listing(id: id, .verified(on: CalendarDate("2026-09-20")!, by: "operator:bench")))
      }
      _ = try events.perform(systemRequest: "bench-\(made)") { session throws(RegistryError) in
        try session.append(logged)
      }
      made = min(count, made + batch)
      progress(made)
    }
    return (names, identifiers)
  }
}
