import Foundation
import OverdueCore
import OverdueStore

/// A large registry made of realistic-looking parties (valid GSTINs, company-like names), written
/// through the event log and folded into the read model by the real projector.
struct SyntheticRegistry {
  static let words = [
    "Acme", "Bharat", "Deccan", "Ganga", "Himalaya", "Indus", "Kaveri", "Lotus", "Malabar",
    "Narmada",
    "Orient", "Pioneer", "Quality", "Royal", "Sagar", "Tata", "Unity", "Vijay", "Western", "Yamuna",
    "Zenith", "Shree", "Sai", "Om", "Laxmi", "Ganesh", "Krishna", "Apex", "Global", "National",
  ]
  static let trades = [
    "Steel", "Textiles", "Foods", "Pharma", "Chemicals", "Traders", "Logistics", "Plastics",
    "Electricals",
    "Fabrication", "Agro", "Motors", "Paper", "Cement", "Garments", "Spices", "Tiles", "Packaging",
  ]
  static let forms = ["Private Limited", "LLP", "Limited", "& Co", "Enterprises", "Industries"]
  static let stateCodes = GSTIN.stateCodes.keys.filter { $0 < "39" }.sorted()

  var generator = SeededGenerator(seed: 42)

  /// A valid GSTIN of a company or firm, with its mod-36 check character.
  mutating func gstin() -> String {
    let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    var pan = ""
    for _ in 0..<3 { pan.append(letters.randomElement(using: &generator)!) }
    pan.append(["C", "F"].randomElement(using: &generator)!)
    pan.append(letters.randomElement(using: &generator)!)
    pan += String(format: "%04d", Int.random(in: 0...9999, using: &generator))
    pan.append(letters.randomElement(using: &generator)!)
    let body = Self.stateCodes.randomElement(using: &generator)! + pan + "1Z"
    return body + String(GSTIN.checkCharacter(Array(body)))
  }

  mutating func name() -> String {
    [
      Self.words.randomElement(using: &generator)!, Self.words.randomElement(using: &generator)!,
      Self.trades.randomElement(using: &generator)!, Self.forms.randomElement(using: &generator)!,
    ]
    .joined(separator: " ")
  }

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
        let party = PartyIdentifier(unchecked: .gstin, gstin())
        let legalName = name()
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

/// A small deterministic random number generator (SplitMix64), so runs are repeatable.
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
