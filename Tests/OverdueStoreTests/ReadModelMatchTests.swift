import Foundation
import GRDB
import OverdueCore
import OverdueStore
import Testing

@Suite("A read model is checked against its log at start")
struct ReadModelMatchTests {
  func filed(_ stores: Stores, _ count: Int) throws {
    for index in 1...count {
      _ = try stores.append(
        [.listing(id: "L-\(index)", .filed(Stores.listing("L-\(index)")))], requestId: "r-\(index)")
    }
  }

  @Test func theEventLogIsHashChained() throws {
    let stores = try Stores()
    try filed(stores, 3)
    let events = try stores.events.events(after: 0, limit: 10)
    #expect(events.map(\.sequence) == [1, 2, 3])
    #expect(Set(events.map(\.hash)).count == 3)
    #expect(events.allSatisfy { $0.hash.count == 64 })
  }

  @Test func aReadModelAheadOfItsLogIsRebuilt() throws {
    let stores = try Stores()
    try filed(stores, 3)
    try stores.projector.start()
    #expect(stores.readModel.position() == 3)
    // The log is replaced by a shorter one (a restored backup): the read model is ahead of it.
    let shorter = try Stores()
    try filed(shorter, 2)
    let readModel = try ReadModel(path: stores.directory.appendingPathComponent("read.sqlite").path)
    try Projector(eventStore: shorter.events, readModel: readModel).start()
    #expect(readModel.position() == 2)
    #expect(try readModel.dump() == (try rebuiltDump(of: shorter)))
  }

  @Test func aReadModelBuiltFromAnotherLogIsRebuilt() throws {
    let stores = try Stores()
    try filed(stores, 3)
    try stores.projector.start()
    // Another log of the same length: same positions, other events, other hashes.
    let other = try Stores()
    for index in 1...3 {
      _ = try other.append(
        [.listing(id: "X-\(index)", .filed(Stores.listing("X-\(index)")))], requestId: "x-\(index)")
    }
    let readModel = try ReadModel(path: stores.directory.appendingPathComponent("read.sqlite").path)
    try Projector(eventStore: other.events, readModel: readModel).start()
    #expect(readModel.position() == 3)
    #expect(try readModel.listing("L-1") == nil)
    #expect(try readModel.listing("X-1") != nil)
  }

  @Test func aReadModelThatMatchesItsLogIsKept() throws {
    let stores = try Stores()
    try filed(stores, 3)
    try stores.projector.start()
    // A marker the projector never writes: a rebuild would drop it.
    let path = stores.directory.appendingPathComponent("read.sqlite").path
    try DatabaseQueue(path: path).write {
      try $0.execute(sql: "INSERT INTO members VALUES ('M-MARK', 'marker', '', 'ACTIVE')")
    }
    let readModel = try ReadModel(path: path)
    try Projector(eventStore: stores.events, readModel: readModel).start()
    #expect(try readModel.dump().contains { $0.contains("M-MARK") })
  }

  private func rebuiltDump(of stores: Stores) throws -> [String] {
    let fresh = try ReadModel(
      path: FileManager.default.temporaryDirectory.appendingPathComponent(
        "overdue-rebuilt-\(UUID().uuidString).sqlite"
      ).path)
    try Projector(eventStore: stores.events, readModel: fresh).start()
    return try fresh.dump()
  }
}
