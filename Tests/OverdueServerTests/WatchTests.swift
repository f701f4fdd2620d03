import Foundation
import GRPCCore
import GRPCProtobuf
import OverdueAPI
import OverdueClient
import OverdueServer
import SwiftProtobuf
import Synchronization
import Testing

@Suite("End to end over TLS: watchlists and the watch stream")
struct WatchTests {
  /// A member watching the test buyer (by its GSTIN) and another member that lists it.
  struct Scene {
    let registry: TestRegistry
    let watcher: RegistryConnection
    let lister: RegistryConnection
    let watchlistSequence: UInt64
  }

  static func scene(_ registry: TestRegistry) async throws -> Scene {
    let (_, watcherIdentity) = try await registry.onboardMember(
      name: "Kaveri Foods", gstin: "33AAACH7409R1Z8")
    let (_, listerIdentity) = try await registry.onboardMember(
      name: "Sharma Steel Traders", gstin: "24AAACC1206D1ZM")
    let watcher = registry.memberConnection(watcherIdentity)
    var add = Overdue_V1_AddToWatchlistRequest()
    add.requestID = UUID().uuidString
    add.parties = [.with { $0.value = Requests.buyer }]
    let added = try await watcher.withClients { try await $0.members.addToWatchlist(add) }
    #expect(added.changed == 1 && added.watched == 1)
    return Scene(
      registry: registry, watcher: watcher, lister: registry.memberConnection(listerIdentity),
      watchlistSequence: added.sequence)
  }

  /// Watches until `count` events (changes or current states) have come, or `timeout`.
  static func events(
    _ connection: RegistryConnection, after: UInt64 = 0, initialState: Bool = false, count: Int,
    timeout: Duration = .seconds(10)
  ) async throws -> [Overdue_V1_WatchResponse] {
    var request = Overdue_V1_WatchRequest()
    request.afterSequence = after
    request.sendInitialState = initialState
    var options = CallOptions.defaults
    options.timeout = timeout
    return try await connection.withClients { clients in
      try await clients.members.watch(request, options: options) { response in
        var seen: [Overdue_V1_WatchResponse] = []
        for try await message in response.messages {
          seen.append(message)
          if seen.filter({ if case .event = $0.kind { true } else { false } }).count == count {
            break
          }
        }
        return seen
      }
    }
  }

  static func changes(_ messages: [Overdue_V1_WatchResponse]) -> [Overdue_V1_WatchEvent] {
    messages.compactMap { if case .event(let event) = $0.kind { event } else { nil } }
  }

  @Test func aWatcherSeesTypedChangesInOrderAndResumesWithExactlyTheMissedOnes() async throws {
    try await TestRegistry.with { registry in
      let scene = try await Self.scene(registry)
      // A stream open before anything happens sees the listing, the payment and the settlement.
      let live = Task {
        try await Self.events(scene.watcher, after: scene.watchlistSequence, count: 3)
      }
      let filed = try await scene.lister.withClients {
        try await $0.members.fileDefault(Requests.filing())
      }
      _ = try await registry.asOperator {
        try await $0.operator.verifyListing(Requests.verify(filed.listingID))
      }
      var payment = Overdue_V1_RecordPaymentRequest()
      payment.requestID = UUID().uuidString
      payment.listingID = filed.listingID
      payment.amountMinor = 100_00
      payment.paidOn = "2026-11-23"
      payment.reference = "UTR-PRIVATE-1"
      _ = try await scene.lister.withClients { try await $0.members.recordPayment(payment) }
      let settled = try await scene.lister.withClients {
        try await $0.members.confirmSettlement(Requests.settle(filed.listingID))
      }
      let seen = Self.changes(try await live.value)
      #expect(seen.map(\.change) == [.listed, .paymentRecorded, .settled])
      #expect(seen.map(\.status) == [.active, .active, .resolved])
      #expect(seen.allSatisfy { $0.listingID == filed.listingID })
      #expect(seen.allSatisfy { $0.party.value == Requests.buyer })
      #expect(seen.allSatisfy { $0.filedUnder.value == Requests.buyer })
      #expect(zip(seen, seen.dropFirst()).allSatisfy { $0.sequence < $1.sequence })
      #expect(seen.last?.sequence == settled.sequence)

      // Resuming from the first change's cursor gives exactly the two after it, nothing twice.
      let resumed = Self.changes(
        try await Self.events(scene.watcher, after: seen[0].sequence, count: 2))
      #expect(resumed.map(\.sequence) == seen.dropFirst().map(\.sequence))
      // From the start of the log: the same three (the filing of a PENDING listing shows nothing).
      let all = Self.changes(try await Self.events(scene.watcher, after: 0, count: 3))
      #expect(all.map(\.sequence) == seen.map(\.sequence))
    }
  }

  @Test func theInitialStateComesFirstThenItsEndThenChanges() async throws {
    try await TestRegistry.with { registry in
      let scene = try await Self.scene(registry)
      let filed = try await scene.lister.withClients {
        try await $0.members.fileDefault(Requests.filing())
      }
      let verified = try await registry.asOperator {
        try await $0.operator.verifyListing(Requests.verify(filed.listingID))
      }
      let messages = try await Self.events(scene.watcher, initialState: true, count: 1)
      guard case .event(let current) = messages.first?.kind else {
        Issue.record("no current state first: \(messages)")
        return
      }
      #expect(current.change == .currentState)
      #expect(current.status == .active)
      #expect(current.party.value == Requests.buyer)
      // Then the end of the initial state, as of the verification or later.
      var request = Overdue_V1_WatchRequest()
      request.sendInitialState = true
      let end = try await scene.watcher.withClients { clients in
        try await clients.members.watch(request) { response in
          for try await message in response.messages {
            if case .initialStateEnd(let end) = message.kind { return end.sequence }
          }
          return 0
        }
      }
      #expect(end >= verified.sequence)
    }
  }

  @Test func aWatchRevealsNothingPrivate() async throws {
    try await TestRegistry.with { registry in
      let scene = try await Self.scene(registry)
      // Filed, never verified, then withdrawn: nothing public ever happened.
      let filed = try await scene.lister.withClients {
        try await $0.members.fileDefault(Requests.filing())
      }
      var withdraw = Overdue_V1_WithdrawListingRequest()
      withdraw.requestID = UUID().uuidString
      withdraw.listingID = filed.listingID
      withdraw.reason = .filedInError
      withdraw.note = "NOTE-PRIVATE"
      _ = try await scene.lister.withClients { try await $0.members.withdrawListing(withdraw) }
      // A second listing, verified: the first change a watcher from the start sees is its LISTED.
      let second = try await scene.lister.withClients {
        try await $0.members.fileDefault(Requests.filing(invoice: "INV-2"))
      }
      _ = try await registry.asOperator {
        try await $0.operator.verifyListing(Requests.verify(second.listingID))
      }
      let seen = Self.changes(try await Self.events(scene.watcher, count: 1))
      #expect(seen.map(\.listingID) == [second.listingID])
      #expect(seen.first?.change == .listed)
    }
  }

  @Test func aSlowReaderCatchesUpWithNothingLostOrRepeated() async throws {
    try await TestRegistry.with { registry in
      let scene = try await Self.scene(registry)
      var request = Overdue_V1_WatchRequest()
      request.afterSequence = scene.watchlistSequence
      let (started, starting) = AsyncStream.makeStream(of: Void.self)
      let reader = Task {
        try await scene.watcher.withClients { clients in
          try await clients.members.watch(request) { response in
            starting.yield()
            // Reads nothing while twenty listings are filed, verified and settled.
            try await Task.sleep(for: .seconds(2))
            var kinds: [Overdue_V1_ChangeKind] = []
            var sequences: [UInt64] = []
            for try await message in response.messages {
              guard case .event(let event) = message.kind else { continue }
              kinds.append(event.change)
              sequences.append(event.sequence)
              if kinds.count == 40 { break }
            }
            return (kinds, sequences)
          }
        }
      }
      for await _ in started { break }
      for index in 0..<20 {
        let filed = try await scene.lister.withClients {
          try await $0.members.fileDefault(Requests.filing(invoice: "SLOW-\(index)"))
        }
        _ = try await registry.asOperator {
          try await $0.operator.verifyListing(Requests.verify(filed.listingID))
        }
        _ = try await scene.lister.withClients {
          try await $0.members.confirmSettlement(Requests.settle(filed.listingID))
        }
      }
      let (kinds, sequences) = try await reader.value
      #expect(
        kinds
          == Array(repeating: [Overdue_V1_ChangeKind.listed, .settled], count: 20).flatMap { $0 })
      #expect(sequences == sequences.sorted() && Set(sequences).count == 40)
    }
  }

  @Test func anIdleWatchGetsProgressMessages() async throws {
    try await TestRegistry.with(configure: { $0.watchProgressInterval = .milliseconds(200) }) {
      registry in
      let scene = try await Self.scene(registry)
      var request = Overdue_V1_WatchRequest()
      request.afterSequence = scene.watchlistSequence
      let progress = try await scene.watcher.withClients { clients in
        try await clients.members.watch(request) { response in
          var seen: [UInt64] = []
          for try await message in response.messages {
            if case .progress(let progress) = message.kind { seen.append(progress.sequence) }
            if seen.count == 3 { break }
          }
          return seen
        }
      }
      // Nothing happened: every progress message says how far the log was scanned.
      #expect(progress == Array(repeating: scene.watchlistSequence, count: 3))
    }
  }

  @Test func oneMoreThanTheMaximumIsRefusedAndTheWatchlistStillServes() async throws {
    try await TestRegistry.with(configure: { $0.maxWatchedParties = 3 }) { registry in
      let scene = try await Self.scene(registry)  // watches one party
      func add(_ values: [String]) async throws -> Overdue_V1_WatchlistChange {
        var request = Overdue_V1_AddToWatchlistRequest()
        request.requestID = UUID().uuidString
        request.parties = values.map { value in .with { $0.value = value } }
        return try await scene.watcher.withClients { try await $0.members.addToWatchlist(request) }
      }
      // 10,001 parties in one call: refused naming the field, nothing added.
      let tooMany = await expectRPCError {
        _ = try await add(Array(repeating: "AAPFU0939F", count: 10_001))
      }
      #expect(tooMany?.0.code == .invalidArgument)
      #expect(
        tooMany?.1?.details.compactMap(\.badRequest).first?.violations.first?.field == "parties")
      // Up to the member's maximum of 3, then one more is refused and the list is unchanged.
      #expect(try await add(["AAPFU0939F", "29AAGCB7383J1Z4"]).watched == 3)
      let full = await expectRPCError { _ = try await add(["09AAACI1681G1ZN"]) }
      #expect(full?.0.code == .resourceExhausted)
      #expect(full?.1?.details.compactMap(\.errorInfo).first?.reason == "WATCHLIST_FULL")
      let listed = try await scene.watcher.withClients {
        try await $0.members.listWatchlist(.init())
      }
      #expect(listed.parties.count == 3)
      // Still served: a party already watched is no change, and a check answers.
      #expect(try await add([Requests.buyer]).changed == 0)
      let report = try await scene.watcher.withClients {
        try await $0.lookup.checkParty(Requests.check())
      }
      #expect(report.status == .clear)
    }
  }

  @Test func anIdleWatchGetsProgressAndAWatchOnlyOfMembers() async throws {
    try await TestRegistry.with { registry in
      let scene = try await Self.scene(registry)
      // An operator keeps no watchlist.
      let refused = await expectRPCError {
        _ = try await registry.asOperator {
          try await $0.members.listWatchlist(.init())
        }
      }
      #expect(refused?.0.code == .permissionDenied)
      // The watchlist lists the party as watched.
      let listed = try await scene.watcher.withClients {
        try await $0.members.listWatchlist(.init())
      }
      #expect(listed.parties.map(\.value) == [Requests.buyer])
      // A cursor beyond the log is refused, naming the field.
      var ahead = Overdue_V1_WatchRequest()
      ahead.afterSequence = 1_000_000
      let beyond = await expectRPCError {
        _ = try await scene.watcher.withClients { clients in
          try await clients.members.watch(ahead) { response in
            for try await _ in response.messages {}
          }
        }
      }
      #expect(beyond?.0.code == .invalidArgument)
      #expect(
        beyond?.1?.details.compactMap(\.badRequest).first?.violations.first?.field
          == "after_sequence")
    }
  }
}
