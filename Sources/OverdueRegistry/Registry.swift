import Foundation
public import Logging
public import OverdueCertificates
public import OverdueCore
public import OverdueStore
import Synchronization

/// The registry's use cases: commands through the pure rules into the event log (write path), and
/// party reports from the read model (read path). Transport-agnostic: the gRPC services call it.
/// Synchronous SQLite work runs on `blocking`, never on the cooperative threads.
public final class Registry: Sendable {
  let eventStore: EventStore
  let readModel: ReadModel
  public let follower: LogFollower
  public let blocking: BlockingWork
  let refusals: RefusalAudit
  let authority: CertificateAuthority
  let policy: FilingPolicy
  public let clock: RegistryClock
  let logger: Logger
  /// How long `report` waits for the read model to reach a requested sequence.
  let readYourWritesWait: Duration
  /// Evidence bytes one member may file in all.
  let evidenceQuotaBytes: Int64
  /// Parties one member may watch.
  let maxWatchedParties: Int
  let watchlistVersions = WatchlistVersions()
  let watchSnapshots = Mutex<[String: WatchSnapshot]>([:])
  let derivedChanges = DerivedChanges()
  let sharedScans = SharedScans()
  /// Rung when messages are queued (or attempts finish): the dispatcher looks at the outbox.
  let outboxQueued = Wakeup()
  /// What the registry's messages say about the registry.
  public let notices: NoticePolicy

  public init(
    eventStore: EventStore, readModel: ReadModel, authority: CertificateAuthority,
    policy: FilingPolicy,
    clock: RegistryClock, logger: Logger, readYourWritesWait: Duration,
    evidenceQuotaBytes: Int64 = 1 << 30, maxWatchedParties: Int = 100_000,
    notices: NoticePolicy = NoticePolicy(), blocking: BlockingWork = BlockingWork(threads: 4)
  ) throws {
    self.notices = notices
    self.evidenceQuotaBytes = evidenceQuotaBytes
    self.maxWatchedParties = maxWatchedParties
    self.eventStore = eventStore
    self.readModel = readModel
    self.blocking = blocking
    let projector = Projector(eventStore: eventStore, readModel: readModel, policy: policy)
    try projector.start()
    self.follower = LogFollower(
      projector: projector, readModel: readModel, blocking: blocking, logger: logger)
    self.refusals = RefusalAudit(eventStore: eventStore, logger: logger)
    self.authority = authority
    self.policy = policy
    self.clock = clock
    self.logger = logger
    self.readYourWritesWait = readYourWritesWait
  }

  // MARK: Listings

  /// Runs a listing command for `actor` under an idempotency key; evidence bytes are stored with it.
  /// A filing may give the party's contact for the registry's notices (kept on the write side
  /// only, never in the log or the read model).
  public func run(
    _ command: ListingCommand, listingId: String, actor: Actor, key: IdempotencyKey,
    evidence: [StoredEvidence] = [], partyContact: PartyContact? = nil
  ) async throws(RegistryError) -> ListingReceipt {
    if let partyContact {
      try ContactAddress.checkEmail(partyContact.email, field: "party_email")
      try ContactAddress.checkPhone(partyContact.phone, field: "party_phone")
    }
    let today = clock.today
    let receipt = try await blocking.run { () throws(RegistryError) in
      try self.write(key, as: ListingReceipt.self, command.verb, target: listingId) {
        session throws(RegistryError) in
        if case .file = command, let partyContact, !partyContact.isEmpty {
          try session.save(partyContact, listingId: listingId)
        }
        return try self.decideAndAppend(
          command, listingId: listingId, actor: actor, today: today, session: session,
          evidence: evidence)
      }
    }
    // A verification or settlement may have queued a notice to the party.
    if receipt.sequence > 0, command == .verify || receipt.state == .settled {
      outboxQueued.wake()
    }
    await applied(receipt.sequence)
    return receipt
  }

  /// The scheduler's pass: applies every deadline due today (plan breaches, the end of settled
  /// history's retention, maximum listing age) as events; returns how many listings changed. Only
  /// listings whose next deadline has come are looked at; the write path decides from the log.
  @discardableResult
  public func applyDeadlines() async throws(RegistryError) -> Int {
    let today = clock.today
    let (changed, last) = try await blocking.run { () throws(RegistryError) in
      let candidates = try storageAccess { try self.readModel.listingIds(withDeadlineBy: today) }
      var changed = 0
      var last: UInt64 = 0
      for listingId in candidates {
        let receipt = try self.eventStore.perform(
          systemRequest: "deadlines:\(today):\(listingId)"
        ) { session throws(RegistryError) in
          try self.decideAndAppend(
            .applyDeadlines, listingId: listingId, actor: .scheduler, today: today,
            session: session)
        }
        if receipt.sequence > 0 {
          changed += 1
          last = receipt.sequence
        }
      }
      return (changed, last)
    }
    await applied(last)
    return changed
  }

  /// Loads what the rules need, decides, and appends the events with an audit row (nothing when
  /// the decision is no events, as when no deadline is due).
  private func decideAndAppend(
    _ command: ListingCommand, listingId: String, actor: Actor, today: CalendarDate,
    session: WriteSession, evidence: [StoredEvidence] = []
  ) throws(RegistryError) -> ListingReceipt {
    let listing = try session.listing(listingId)
    var context = DecisionContext(actor: actor, today: today, policy: policy)
    if case .member(let memberId) = actor {
      guard let member = try session.member(memberId) else {
        throw RegistryError(
          .permissionDenied, reason: "UNKNOWN_MEMBER",
          message: "member \(memberId) is not registered")
      }
      context.member = member
    }
    switch command {
    case .file(let filing):
      let debtKey = Listing.debtKey(party: filing.party, pan: filing.party.linkedPAN)
      context.claimedInvoices = try session.claimedInvoices(debtKey: debtKey, excluding: listingId)
    case .amend:
      if let listing {
        context.claimedInvoices = try session.claimedInvoices(
          debtKey: listing.debtKey, excluding: listingId)
      }
    default:
      break
    }
    let events = try ListingDecider.decide(command, on: listing, context: context)
    guard !events.isEmpty else {
      return ListingReceipt(listingId: listingId, state: listing?.state ?? .pending, sequence: 0)
    }
    var memberId: String?
    if case .member(let id) = actor { memberId = id }
    try session.store(evidence, chargedTo: memberId, quotaBytes: evidenceQuotaBytes)
    let sequence = try session.append(events.map { .listing(id: listingId, $0) })
    try session.audit(
      AuditEntry(
        actor: actor.description, action: events.map(\.name).joined(separator: ","),
        target: listingId))
    let final = events.reduce(listing) { Listing.apply($1, to: $0, sequence: sequence) }
    try queuePartyNotices(for: events, after: final, session: session, now: clock.now())
    return ListingReceipt(listingId: listingId, state: final?.state ?? .pending, sequence: sequence)
  }

  /// A listing as its member (or an operator) sees it.
  public func listing(_ id: String, for actor: Actor) async throws(RegistryError) -> Listing {
    let listing = try await blocking.run { () throws(RegistryError) in
      try storageAccess { try self.readModel.listing(id) }
    }
    guard let listing, actor.mayRead(listing) else {
      throw RegistryError(
        .notFound, reason: "LISTING_NOT_FOUND", message: "no such listing among yours")
    }
    return listing
  }

  /// A page of listings: a member's own, or (for an operator) everyone's, optionally in one state.
  public func listings(for actor: Actor, state: ListingState?, after cursor: String, limit: Int)
    async throws(RegistryError) -> [Listing]
  {
    let memberId: String?
    if case .member(let id) = actor { memberId = id } else { memberId = nil }
    return try await blocking.run { () throws(RegistryError) in
      try storageAccess {
        try self.readModel.listings(memberId: memberId, state: state, after: cursor, limit: limit)
      }
    }
  }

  /// An evidence document of a listing, for the operator who verifies it.
  public func evidence(listingId: String, sha256Hex: String) async throws(RegistryError) -> (
    EvidenceReference, StoredEvidence
  ) {
    let listing = try await listing(listingId, for: .operator("evidence"))
    let reference = listing.evidence.first(where: { $0.sha256Hex == sha256Hex })
    let stored =
      reference == nil
      ? nil
      : try await blocking.run { () throws(RegistryError) in
        try self.eventStore.read { session throws(RegistryError) in
          try session.evidence(sha256Hex)
        }
      }
    guard let reference, let stored else {
      throw RegistryError(
        .notFound, reason: "EVIDENCE_NOT_FOUND",
        message: "listing \(listingId) has no document \(sha256Hex)")
    }
    return (reference, stored)
  }

  // MARK: Members and certificates

  /// Registers a member; its identifier must be valid and not already registered.
  public func registerMember(
    displayName: String, identifier: PartyIdentifier, sector: String, actor: Actor,
    key: IdempotencyKey
  ) async throws(RegistryError) -> Member {
    try InputBounds.check(
      displayName, field: "display_name", max: InputBounds.displayName, kind: .line)
    try InputBounds.check(sector, field: "sector", max: InputBounds.sector, kind: .line)
    let trimmedName = displayName.trimmingCharacters(in: .whitespaces)
    guard !trimmedName.isEmpty else {
      throw .invalid("display_name", "MISSING_DISPLAY_NAME", "a member needs a display name")
    }
    let memberId = Identifiers.member(at: clock.now())
    let member = try await writing(
      key, as: Member.self, "register a member", target: "\(identifier)"
    ) { session throws(RegistryError) in
      if let existing = try session.member(identifiedBy: identifier) {
        throw RegistryError(
          .alreadyExists, reason: "MEMBER_EXISTS",
          message: "\(identifier) is already member \(existing.id)", field: "identifier")
      }
      var member = Member(
        id: memberId, displayName: trimmedName, identifier: identifier,
        sector: sector.trimmingCharacters(in: .whitespaces))
      member.sequence = try session.append([.member(id: memberId, .registered(member))])
      try session.audit(
        AuditEntry(actor: actor.description, action: "MemberRegistered", target: memberId))
      return member
    }
    await applied(member.sequence)
    return member
  }

  /// Suspends or reinstates a member.
  public func setMemberSuspended(
    _ suspended: Bool, memberId: String, reason: String, actor: Actor, key: IdempotencyKey
  ) async throws(RegistryError) -> Member {
    let verb = suspended ? "suspend a member" : "reinstate a member"
    let member = try await writing(key, as: Member.self, verb, target: memberId) {
      session throws(RegistryError) in
      guard let member = try session.member(memberId) else { throw Self.unknownMember(memberId) }
      let event: MemberEvent = suspended ? .suspended(reason: reason) : .reinstated(reason: reason)
      let sequence = try session.append([.member(id: memberId, event)])
      try session.audit(
        AuditEntry(actor: actor.description, action: event.name, target: memberId, detail: reason))
      return MemberEvent.apply(event, to: member, sequence: sequence)!
    }
    await applied(member.sequence)
    return member
  }

  /// Signs a client certificate for a member, from its CSR or (audited) with a key made here.
  /// A key made here is returned once and never stored, so a retried request gets no key.
  public func issueCertificate(memberId: String, csrPEM: String?, actor: Actor, key: IdempotencyKey)
    async throws(RegistryError) -> CertificateReceipt
  {
    try await blocking.run { [self] () throws(RegistryError) in
      try issueCertificateNow(memberId: memberId, csrPEM: csrPEM, actor: actor, key: key)
    }
  }

  private func issueCertificateNow(
    memberId: String, csrPEM: String?, actor: Actor, key: IdempotencyKey
  ) throws(RegistryError) -> CertificateReceipt {
    var generatedKeyPEM: String?
    var receipt = try write(
      key, as: CertificateReceipt.self, "issue a certificate", target: memberId
    ) { session throws(RegistryError) in
      guard let member = try session.member(memberId) else { throw Self.unknownMember(memberId) }
      let issued: IssuedIdentity
      do {
        // Certificate validity follows the wall clock TLS peers check, not the registry's business clock.
        issued = try authority.issueClientCertificate(
          uri: Actor.member(memberId).uri, commonName: member.displayName, csrPEM: csrPEM)
      } catch {
        throw .invalid(
          "csr_pem", "INVALID_CSR", "the certificate signing request is not valid: \(error)")
      }
      try session.record(
        IssuedCertificate(
          serialHex: issued.serialHex, principal: Actor.member(memberId).uri,
          notAfter: issued.notAfter))
      try session.audit(
        AuditEntry(
          actor: actor.description,
          action: csrPEM == nil ? "CertificateIssuedWithServerKey" : "CertificateIssued",
          target: memberId, detail: issued.serialHex))
      generatedKeyPEM = issued.privateKeyPEM
      return CertificateReceipt(
        certificatePEM: issued.certificatePEM,
        caCertificatePEM: (try? authority.certificatePEM) ?? "",
        serialHex: issued.serialHex, privateKeyPEM: nil)
    }
    receipt.privateKeyPEM = generatedKeyPEM
    return receipt
  }

  /// Revokes a certificate by serial; the next call made with it is refused.
  public func revokeCertificate(
    serialHex: String, reason: String, actor: Actor, key: IdempotencyKey
  )
    async throws(RegistryError) -> RevocationReceipt
  {
    let serial = serialHex.lowercased().filter { $0 != ":" }
    return try await writing(
      key, as: RevocationReceipt.self, "revoke a certificate", target: serial
    ) { session throws(RegistryError) in
      guard try session.revokeCertificate(serialHex: serial, reason: reason) else {
        throw RegistryError(
          .notFound, reason: "CERTIFICATE_NOT_FOUND",
          message: "no certificate with serial \(serial)", field: "serial_hex")
      }
      try session.audit(
        AuditEntry(
          actor: actor.description, action: "CertificateRevoked", target: serial, detail: reason))
      return RevocationReceipt(serialHex: serial, sequence: 0)
    }
  }

  /// A page of the audit log and whether the whole chain verifies (the id of the first bad row).
  public func auditLog(after id: Int64, limit: Int) async throws(RegistryError) -> (
    [AuditRecord], Int64?
  ) {
    try await blocking.run { [self] () throws(RegistryError) in
      try storageAccess {
        (try eventStore.auditLog(after: id, limit: limit), try eventStore.firstBrokenAuditRow())
      }
    }
  }

  /// Whether a certificate serial may call: issued by this registry (and recorded) and not
  /// revoked; checked on every member-listener call, and on every message of a stream.
  public func certificateStatus(serialHex: String) async throws(RegistryError) -> CertificateStatus
  {
    try await blocking.run { [self] () throws(RegistryError) in
      try storageAccess { try eventStore.certificateStatus(serialHex: serialHex) }
    }
  }

  // MARK: Checks

  /// Everything public about a party, once the read model has applied `minSequence`.
  public func report(for identifier: PartyIdentifier, minSequence: UInt64)
    async throws(RegistryError) -> (
      PartyRecord, PartyAssessment
    )
  {
    try await waitForSequence(minSequence)
    return try await reports(for: [identifier])[0]
  }

  /// Reports for many parties: clear ones and those read recently from memory, the rest read in
  /// one transaction on the blocking pool.
  public func reports(for identifiers: [PartyIdentifier]) async throws(RegistryError) -> [(
    PartyRecord, PartyAssessment
  )] {
    let lookup = readModel.lookUp(identifiers)
    let records =
      lookup.needsStorage
      ? try await blocking.run { [readModel] () throws(RegistryError) in
        try storageAccess { try readModel.parties(completing: lookup) }
      }
      : try storageAccess { try readModel.parties(completing: lookup) }
    let today = clock.today
    return records.map { record in
      (
        record,
        record.listings.isEmpty ? .clear : PartyAssessment(listings: record.listings, today: today)
      )
    }
  }

  /// Parties matching a name (at least 3 characters; prefix, substring and typo tolerant), ranked,
  /// with each one's current status.
  public func searchParties(_ query: String, limit: Int, offset: Int) async throws(RegistryError)
    -> [(
      PartyName, ImpactStatus
    )]
  {
    try InputBounds.check(query, field: "query", max: InputBounds.query, kind: .line)
    guard query.trimmingCharacters(in: .whitespaces).count >= 3 else {
      throw .invalid("query", "QUERY_TOO_SHORT", "search needs at least 3 characters")
    }
    let today = clock.today
    return try await blocking.run { [readModel] () throws(RegistryError) in
      try storageAccess {
        try readModel.searchParties(query, limit: limit, offset: offset).map { match in
          let record = try readModel.party(match.identifier)
          return (match, PartyAssessment(listings: record.listings, today: today).status)
        }
      }
    }
  }

  /// Waits (bounded, and never writing) until the log follower has applied `sequence`.
  private func waitForSequence(_ sequence: UInt64) async throws(RegistryError) {
    guard sequence > 0 else { return }
    guard await follower.waitUntilApplied(sequence, timeout: readYourWritesWait) else {
      throw RegistryError(
        .unavailable, reason: "SEQUENCE_NOT_YET_APPLIED",
        message: "the read model has not yet reached sequence \(sequence); retry shortly")
    }
  }

  /// After a write committed at `sequence`: wakes the follower and waits (bounded) for it, so
  /// that the writer's next check sees its write. A write that changed nothing has sequence 0.
  private func applied(_ sequence: UInt64) async {
    guard sequence > 0 else { return }
    follower.logAdvanced()
    _ = await follower.waitUntilApplied(sequence, timeout: readYourWritesWait)
  }

  /// `write` on the blocking pool.
  func writing<Response: Codable & Sendable>(
    _ key: IdempotencyKey, as type: Response.Type, _ operation: String, target: String,
    _ body: @escaping @Sendable (WriteSession) throws(RegistryError) -> Response
  ) async throws(RegistryError) -> Response {
    try await blocking.run { [self] () throws(RegistryError) in
      try write(key, as: type, operation, target: target, body)
    }
  }

  /// Runs a member's or operator's write under its idempotency key. A refusal (not a storage
  /// fault) is audited, then rethrown: nothing of the refused command remains but that row.
  private func write<Response: Codable & Sendable>(
    _ key: IdempotencyKey, as type: Response.Type, _ operation: String, target: String,
    _ body: (WriteSession) throws(RegistryError) -> Response
  ) throws(RegistryError) -> Response {
    do {
      return try eventStore.perform(key, as: type, body)
    } catch  where error.code != .unavailable && error.code != .internal {
      refusals.record(
        actor: key.principal, operation: operation, target: target, error: error,
        requestId: key.requestId)
      throw error
    }
  }

  private static func unknownMember(_ id: String) -> RegistryError {
    RegistryError(
      .notFound, reason: "MEMBER_NOT_FOUND", message: "no member \(id)", field: "member_id")
  }
}

extension Actor {
  /// The SAN URI that names this actor in a client certificate.
  public var uri: String {
    switch self {
    case .member(let id): return "overdue:member:\(id)"
    case .operator(let name): return "overdue:operator:\(name)"
    case .scheduler: return "overdue:scheduler"
    }
  }

  /// The actor a certificate's SAN URI names, if any.
  public init?(uri: String) {
    let parts = uri.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0] == "overdue", !parts[2].isEmpty else { return nil }
    switch parts[1] {
    case "member": self = .member(String(parts[2]))
    case "operator": self = .operator(String(parts[2]))
    default: return nil
    }
  }

  public func mayRead(_ listing: Listing) -> Bool {
    switch self {
    case .member(let id): return listing.memberId == id
    case .operator, .scheduler: return true
    }
  }
}
