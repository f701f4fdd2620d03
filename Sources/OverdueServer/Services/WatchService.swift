import GRPCCore
import OverdueAPI
import OverdueCore
import OverdueRegistry
import SwiftProtobuf

/// The Members service's watchlist and watch-stream methods. The member is the one the client
/// certificate names; the stream ends when its client leaves, at shutdown, or when the member's
/// certificate is revoked or the member suspended (checked at least every 15 s).
extension MembersService {
  func addToWatchlist(request: Overdue_V1_AddToWatchlistRequest, context: ServerContext)
    async throws -> Overdue_V1_WatchlistChange
  {
    let (actor, memberId) = try Self.member(context)
    return try await mappingErrors { () async throws(RegistryError) in
      let key = try RequestParsing.key(actor, requestId: request.requestID, request: request)
      let parties = try RequestParsing.watchlistParties(request.parties)
      return .init(
        try await registry.addToWatchlist(parties, memberId: memberId, actor: actor, key: key))
    }
  }

  func removeFromWatchlist(request: Overdue_V1_RemoveFromWatchlistRequest, context: ServerContext)
    async throws -> Overdue_V1_WatchlistChange
  {
    let (actor, memberId) = try Self.member(context)
    return try await mappingErrors { () async throws(RegistryError) in
      let key = try RequestParsing.key(actor, requestId: request.requestID, request: request)
      let parties = try RequestParsing.watchlistParties(request.parties)
      return .init(
        try await registry.removeFromWatchlist(
          parties, memberId: memberId, actor: actor, key: key))
    }
  }

  func listWatchlist(request: Overdue_V1_ListWatchlistRequest, context: ServerContext)
    async throws -> Overdue_V1_ListWatchlistResponse
  {
    let (_, memberId) = try Self.member(context)
    return try await mappingErrors { () async throws(RegistryError) in
      let (limit, cursor) = RequestParsing.page(size: request.pageSize, token: request.pageToken)
      let parties = try await registry.watchlist(memberId: memberId, after: cursor, limit: limit)
      var response = Overdue_V1_ListWatchlistResponse()
      response.parties = parties.map { .init($0) }
      if parties.count == limit, let last = parties.last {
        // The store orders the watchlist by `scheme:value`; the cursor is the same form.
        response.nextPageToken = RequestParsing.pageToken(
          cursor: "\(last.scheme.rawValue):\(last.value)")
      }
      return response
    }
  }

  func watch(
    request: Overdue_V1_WatchRequest, response: RPCWriter<Overdue_V1_WatchResponse>,
    context: ServerContext
  ) async throws {
    let (actor, memberId) = try Self.member(context)
    guard let peer = context.peer else { throw RPCError(code: .unauthenticated, message: "") }
    let registry = registry
    try await registry.watch(
      memberId: memberId, after: request.afterSequence, initialState: request.sendInitialState,
      progressEvery: watchProgressInterval,
      send: { message in try await response.write(.init(message)) },
      stillAllowed: {
        try await registry.requireStanding(
          serialHex: peer.serialHex, actor: actor, call: "overdue.v1.Members/Watch")
      })
  }

  /// The calling member: watchlists, alerts, webhooks and reminders are members' own.
  static func member(_ context: ServerContext) throws -> (Actor, String) {
    let actor = try context.requireActor()
    guard case .member(let memberId) = actor else {
      throw RPCError(code: .permissionDenied, message: "only members may make this call")
    }
    return (actor, memberId)
  }
}

extension Overdue_V1_WatchlistChange {
  init(_ change: WatchlistChange) {
    self.init()
    changed = UInt32(change.changed)
    sequence = change.sequence
    watched = UInt32(change.watched)
  }
}

extension Overdue_V1_WatchResponse {
  init(_ message: WatchMessage) {
    self.init()
    switch message {
    case .change(let change), .currentState(let change):
      event = .init(change)
    case .initialStateEnd(let sequence):
      initialStateEnd.sequence = sequence
    case .progress(let sequence):
      progress.sequence = sequence
    }
  }
}

extension Overdue_V1_WatchEvent {
  init(_ change: WatchedChange) {
    self.init()
    sequence = change.sequence
    party = .init(change.party)
    if let filedUnder = change.filedUnder { self.filedUnder = .init(filedUnder) }
    listingID = change.listingId
    self.change = change.kind.map(Overdue_V1_ChangeKind.init) ?? .currentState
    status = .init(change.status)
    at = Google_Protobuf_Timestamp(date: change.at)
  }
}

extension Overdue_V1_ChangeKind {
  init(_ kind: ChangeKind) {
    switch kind {
    case .listed: self = .listed
    case .disputed: self = .disputed
    case .disputeDecided: self = .disputeDecided
    case .onPlan: self = .onPlan
    case .planBreached: self = .planBreached
    case .paymentRecorded: self = .paymentRecorded
    case .settled: self = .settled
    case .removed: self = .removed
    }
  }
}
