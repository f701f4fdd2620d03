import Foundation
import OverdueCore
import OverdueStore
import Testing

/// A fresh pair of databases in a temporary directory.
struct Stores {
  let directory: URL
  let events: EventStore
  let readModel: ReadModel
  let projector: Projector

  init() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "overdue-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    events = try EventStore(path: directory.appendingPathComponent("events.sqlite").path)
    readModel = try ReadModel(path: directory.appendingPathComponent("read.sqlite").path)
    projector = Projector(eventStore: events, readModel: readModel, batchSize: 3)
  }

  static let party = PartyIdentifier(unchecked: .gstin, "27AAPFU0939F1ZV")

  static func listing(_ id: String, party: PartyIdentifier = party) -> Listing {
    Listing(
      id: id, memberId: "M-A", party: party, pan: party.linkedPAN, legalName: "Acme \(id)",
      currency: "INR",
      invoices: [
        Invoice(
          number: "INV-\(id)", issuedOn: CalendarDate("2026-05-01")!,
          dueOn: CalendarDate("2026-06-01")!, amountMinor: 500_000)
      ],
      noticeServedOn: CalendarDate("2026-11-01")!, evidence: [], state: .pending,
      filedOn: CalendarDate("2026-11-02")!)
  }

  /// Appends events under a request id and returns the sequence as the response.
  func append(_ events: [RegistryEvent], requestId: String, fingerprint: String = "f") throws
    -> UInt64
  {
    try self.events.perform(
      IdempotencyKey(principal: "member:M-A", requestId: requestId, fingerprint: fingerprint),
      as: UInt64.self
    ) { session throws(RegistryError) in
      try session.append(events)
    }
  }
}

@Suite("Event store and read model")
struct StoreTests {
  @Test func writesAreDurable() throws {
    let stores = try Stores()
    #expect(try stores.events.synchronousMode() == 2)  // FULL, not the NORMAL GRDB sets with WAL
  }

  @Test func aRetriedRequestIdReturnsTheFirstResultAndAppendsOnce() throws {
    let stores = try Stores()
    let first = try stores.append(
      [.listing(id: "L-1", .filed(Stores.listing("L-1")))], requestId: "r-1")
    let retry = try stores.append(
      [.listing(id: "L-2", .filed(Stores.listing("L-2")))], requestId: "r-1")
    #expect(first == retry)
    #expect(try stores.events.lastSequence() == 1)
    do {
      _ = try stores.append([], requestId: "r-1", fingerprint: "other content")
      Issue.record("reusing a request id for other content must fail")
    } catch let error as RegistryError {
      #expect(error.code == .alreadyExists)
      #expect(error.reason == "REQUEST_ID_REUSED")
    }
  }

  @Test func aRefusedCommandLeavesNothingBehind() throws {
    let stores = try Stores()
    #expect(throws: RegistryError.self) {
      try stores.events.perform(
        IdempotencyKey(principal: "p", requestId: "r", fingerprint: "f"), as: UInt64.self
      ) { session throws(RegistryError) in
        try session.append([.listing(id: "L-1", .filed(Stores.listing("L-1")))])
        throw RegistryError.precondition("NOPE", "refused after appending")
      }
    }
    #expect(try stores.events.lastSequence() == 0)
    // The request id was not consumed: the same id can now succeed.
    #expect(
      try stores.append([.listing(id: "L-1", .filed(Stores.listing("L-1")))], requestId: "r") == 1)
  }

  @Test func invoiceClaimsSurviveWithdrawal() throws {
    let stores = try Stores()
    _ = try stores.append([.listing(id: "L-1", .filed(Stores.listing("L-1")))], requestId: "a")
    _ = try stores.append(
      [
        .listing(
          id: "L-1", .withdrawn(reason: .filedInError, note: "", on: CalendarDate("2026-11-03")!))
      ], requestId: "b")
    let claimed = try stores.events.read { session throws(RegistryError) in
      try session.claimedInvoices(debtKey: "PAN:AAPFU0939F", excluding: "L-2")
    }
    #expect(claimed == [InvoiceKey(number: "inv-l-1", issuedOn: CalendarDate("2026-05-01")!)])
  }

  @Test func projectionEqualsARebuildFromTheLog() throws {
    let stores = try Stores()
    let sibling = PartyIdentifier(unchecked: .gstin, "29AAPFU0939F1ZR")
    let member = Member(
      id: "M-A", displayName: "Sharma Steel",
      identifier: PartyIdentifier(unchecked: .gstin, "24AAACC1206D1ZM"), sector: "Steel")
    _ = try stores.append([.member(id: "M-A", .registered(member))], requestId: "m")
    for index in 1...7 {
      let id = "L-\(index)"
      _ = try stores.append(
        [
          .listing(
            id: id,
            .filed(Stores.listing(id, party: index.isMultiple(of: 2) ? sibling : Stores.party)))
        ], requestId: "f\(index)")
      _ = try stores.append(
        [.listing(id: id, .verified(on: CalendarDate("2026-11-20")!, by: "operator:o"))],
        requestId: "v\(index)")
      try stores.projector.catchUp()
    }
    _ = try stores.append(
      [
        .listing(
          id: "L-3",
          .settled(
            Settlement(
              settledOn: CalendarDate("2026-11-21")!, amountMinor: 500_000, inFull: true,
              confirmedBy: "member:M-A")))
      ], requestId: "s")
    _ = try stores.append(
      [
        .listing(
          id: "L-5",
          .withdrawn(reason: .privateAgreement, note: "", on: CalendarDate("2026-11-22")!))
      ], requestId: "w")
    _ = try stores.append([.member(id: "M-A", .suspended(reason: "late fees"))], requestId: "susp")
    try stores.projector.catchUp()
    let projected = try stores.readModel.dump()
    try stores.projector.rebuild()
    #expect(try stores.readModel.dump() == projected)
    #expect(try stores.readModel.position() == stores.events.lastSequence())

    let record = try stores.readModel.party(Stores.party)
    #expect(record.listings.count == 6)  // 7 filed, L-5 withdrawn
    #expect(record.listings.contains { $0.filedUnder == sibling })
    #expect(record.related == [sibling])
    #expect(record.members["M-A"]?.displayName == "Sharma Steel")
  }

  @Test("a listed party's remembered rows never outlive a change", arguments: [0, 1, 100])
  func rememberedRowsAreForgottenWhenTheProjectorTouchesTheParty(capacity: Int) throws {
    let stores = try Stores()
    let readModel = try ReadModel(
      path: stores.directory.appendingPathComponent("read.sqlite").path, cachedParties: capacity)
    let projector = Projector(eventStore: stores.events, readModel: readModel)
    let other = PartyIdentifier(unchecked: .reg, "IN-OTHER")
    for (id, party) in [("L-1", Stores.party), ("L-2", other)] {
      _ = try stores.append(
        [.listing(id: id, .filed(Stores.listing(id, party: party)))], requestId: id)
      _ = try stores.append(
        [.listing(id: id, .verified(on: CalendarDate("2026-11-20")!, by: "operator:o"))],
        requestId: "v\(id)")
    }
    try projector.catchUp()
    #expect(try readModel.parties([Stores.party, other]).map(\.listings.count) == [1, 1])
    #expect(try readModel.party(Stores.party).listings.first?.state == .listed)
    _ = try stores.append(
      [
        .listing(
          id: "L-1",
          .settled(
            Settlement(
              settledOn: CalendarDate("2026-11-21")!, amountMinor: 500_000, inFull: true,
              confirmedBy: "member:M-A")))
      ], requestId: "s")
    try projector.catchUp()
    #expect(try readModel.party(Stores.party).listings.first?.state == .settled)
    #expect(try readModel.party(other).listings.first?.state == .listed)
    _ = try stores.append(
      [
        .listing(
          id: "L-2", .withdrawn(reason: .filedInError, note: "", on: CalendarDate("2026-11-22")!))
      ],
      requestId: "w")
    try projector.catchUp()
    #expect(try readModel.party(other).listings.isEmpty)
  }

  @Test func pendingListingsAreNotPublic() throws {
    let stores = try Stores()
    _ = try stores.append([.listing(id: "L-1", .filed(Stores.listing("L-1")))], requestId: "a")
    try stores.projector.catchUp()
    let record = try stores.readModel.party(Stores.party)
    #expect(record.listings.isEmpty)
    #expect(record.legalName.isEmpty)
    #expect(try stores.readModel.listing("L-1")?.state == .pending)
  }
}

@Suite("Name search")
struct NameSearchTests {
  func registry(_ names: [String]) throws -> Stores {
    let stores = try Stores()
    for (index, name) in names.enumerated() {
      var listing = Stores.listing(
        "L-\(index)", party: PartyIdentifier(unchecked: .reg, "IN\(index)"))
      listing.legalName = name
      listing.pan = nil
      _ = try stores.append([.listing(id: listing.id, .filed(listing))], requestId: "f\(index)")
      _ = try stores.append(
        [.listing(id: listing.id, .verified(on: CalendarDate("2026-11-20")!, by: "operator:o"))],
        requestId: "v\(index)")
    }
    try stores.projector.catchUp()
    return stores
  }

  @Test func prefixSubstringAndTyposFindTheName() throws {
    let stores = try registry([
      "Acme Fabrication LLP", "Kaveri Foods Private Limited", "Acme Foods Limited",
      "Fabrica Textiles",
    ])
    func top(_ query: String) throws -> String? {
      try stores.readModel.searchParties(query, limit: 5, offset: 0).first?.legalName
    }
    #expect(try top("acme fab") == "Acme Fabrication LLP")
    #expect(try top("KAVERI") == "Kaveri Foods Private Limited")
    #expect(try top("foods private") == "Kaveri Foods Private Limited")
    #expect(try top("acme fabricaton") == "Acme Fabrication LLP")  // a letter missing
    #expect(try top("kaveru foods") == "Kaveri Foods Private Limited")  // a letter wrong
    #expect(try top("zzzz") == nil)
    #expect(try stores.readModel.searchParties("ac", limit: 5, offset: 0).isEmpty)
    let all = try stores.readModel.searchParties("acme", limit: 1, offset: 0)
    let next = try stores.readModel.searchParties("acme", limit: 1, offset: 1)
    #expect(all.count == 1 && next.count == 1 && all != next)
  }

  @Test func onlyPartiesWithPublicListingsAreFound() throws {
    let stores = try registry(["Acme Fabrication LLP"])
    _ = try stores.append(
      [
        .listing(
          id: "L-0", .withdrawn(reason: .filedInError, note: "", on: CalendarDate("2026-11-21")!))
      ], requestId: "w")
    try stores.projector.catchUp()
    #expect(try stores.readModel.searchParties("acme", limit: 5, offset: 0).isEmpty)
  }

  @Test func theSchedulerSeesListingsFromTheirNextDeadlineAndNewRulesRebuild() throws {
    let stores = try Stores()
    _ = try stores.append([.listing(id: "L-1", .filed(Stores.listing("L-1")))], requestId: "f")
    _ = try stores.append(
      [.listing(id: "L-1", .verified(on: CalendarDate("2026-11-20")!, by: "operator:o"))],
      requestId: "v")
    try stores.projector.start()
    // Listed on 2026-11-20: out of public view after the maximum listing age of 6 years.
    #expect(try stores.readModel.listingIds(withDeadlineBy: CalendarDate("2032-11-19")!).isEmpty)
    #expect(try stores.readModel.listingIds(withDeadlineBy: CalendarDate("2032-11-20")!) == ["L-1"])

    let shorter = Projector(
      eventStore: stores.events, readModel: stores.readModel,
      policy: .defaults { $0.maxListingYears = 2 })
    try shorter.start()
    #expect(try stores.readModel.listingIds(withDeadlineBy: CalendarDate("2028-11-20")!) == ["L-1"])
  }
}
