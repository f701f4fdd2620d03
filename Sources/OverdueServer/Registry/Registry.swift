import Foundation
import Logging
import OverdueCertificates
import OverdueCore
import OverdueStore

/// The registry's use cases: commands through the pure rules into the event log (write path), and
/// party reports from the read model (read path). Transport-agnostic: the gRPC services call it.
public final class Registry: Sendable {
  let eventStore: EventStore
  let readModel: ReadModel
  let projector: Projector
  let authority: CertificateAuthority
  let policy: FilingPolicy
  let clock: RegistryClock
  let logger: Logger
  /// How long `report` waits for the read model to reach a requested sequence.
  let readYourWritesWait: Duration

  init(
    eventStore: EventStore, readModel: ReadModel, authority: CertificateAuthority,
    policy: FilingPolicy,
    clock: RegistryClock, logger: Logger, readYourWritesWait: Duration
  ) throws {
    self.eventStore = eventStore
    self.readModel = readModel
    self.projector = Projector(eventStore: eventStore, readModel: readModel, policy: policy)
    self.authority = authority
    self.policy = policy
    self.clock = clock
    self.logger = logger
    self.readYourWritesWait = readYourWritesWait
    try projector.start()
  }

  // MARK: Listings

  /// Runs a listing command for `actor` under an idempotency key; evidence bytes are stored with it.
  func run(
    _ command: ListingCommand, listingId: String, actor: Actor, key: IdempotencyKey,
    evidence: [StoredEvidence] = []
  ) throws(RegistryError) -> ListingReceipt {
    let today = clock.today
    let receipt = try write(key, as: ListingReceipt.self, command.verb, target: listingId) {
      session throws(RegistryError) in
      try decideAndAppend(
        command, listingId: listingId, actor: actor, today: today, session: session,
        evidence: evidence)
    }
    project()
    return receipt
  }

  /// The scheduler's pass: applies every deadline due today (plan breaches, the end of settled
  /// history's retention, maximum listing age) as events; returns how many listings changed. Only
  /// listings whose next deadline has come are looked at; the write path decides from the log.
  @discardableResult
  func applyDeadlines() throws(RegistryError) -> Int {
    let today = clock.today
    let candidates = try storageAccess { try readModel.listingIds(withDeadlineBy: today) }
    var changed = 0
    for listingId in candidates {
      let receipt = try eventStore.perform(systemRequest: "deadlines:\(today):\(listingId)") {
        session throws(RegistryError) in
        try decideAndAppend(
          .applyDeadlines, listingId: listingId, actor: .scheduler, today: today, session: session)
      }
      if receipt.sequence > 0 { changed += 1 }
    }
    if changed > 0 { project() }
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
    try session.store(evidence)
    let sequence = try session.append(events.map { .listing(id: listingId, $0) })
    try session.audit(
      AuditEntry(
        actor: actor.description, action: events.map(\.name).joined(separator: ","),
        target: listingId))
    let final = events.reduce(listing) { Listing.apply($1, to: $0, sequence: sequence) }
    return ListingReceipt(listingId: listingId, state: final?.state ?? .pending, sequence: sequence)
  }

  /// A listing as its member (or an operator) sees it.
  func listing(_ id: String, for actor: Actor) throws(RegistryError) -> Listing {
    let listing = try storageAccess { try readModel.listing(id) }
    guard let listing, actor.mayRead(listing) else {
      throw RegistryError(
        .notFound, reason: "LISTING_NOT_FOUND", message: "no such listing among yours")
    }
    return listing
  }

  /// A page of listings: a member's own, or (for an operator) everyone's, optionally in one state.
  func listings(for actor: Actor, state: ListingState?, after cursor: String, limit: Int)
    throws(RegistryError) -> [Listing]
  {
    let memberId: String?
    if case .member(let id) = actor { memberId = id } else { memberId = nil }
    return try storageAccess {
      try readModel.listings(memberId: memberId, state: state, after: cursor, limit: limit)
    }
  }

  /// An evidence document of a listing, for the operator who verifies it.
  func evidence(listingId: String, sha256Hex: String) throws(RegistryError) -> (
    EvidenceReference, StoredEvidence
  ) {
    let listing = try listing(listingId, for: .operator("evidence"))
    guard let reference = listing.evidence.first(where: { $0.sha256Hex == sha256Hex }),
      let stored = try eventStore.read({ session throws(RegistryError) in
        try session.evidence(sha256Hex)
      })
    else {
      throw RegistryError(
        .notFound, reason: "EVIDENCE_NOT_FOUND",
        message: "listing \(listingId) has no document \(sha256Hex)")
    }
    return (reference, stored)
  }

  // MARK: Members and certificates

  /// Registers a member; its identifier must be valid and not already registered.
  func registerMember(
    displayName: String, identifier: PartyIdentifier, sector: String, actor: Actor,
    key: IdempotencyKey
  ) throws(RegistryError) -> Member {
    let trimmedName = displayName.trimmingCharacters(in: .whitespaces)
    guard !trimmedName.isEmpty else {
      throw .invalid("display_name", "MISSING_DISPLAY_NAME", "a member needs a display name")
    }
    let memberId = Identifiers.member(at: clock.now())
    let member = try write(key, as: Member.self, "register a member", target: "\(identifier)") {
      session throws(RegistryError) in
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
    project()
    return member
  }

  /// Suspends or reinstates a member.
  func setMemberSuspended(
    _ suspended: Bool, memberId: String, reason: String, actor: Actor, key: IdempotencyKey
  ) throws(RegistryError) -> Member {
    let verb = suspended ? "suspend a member" : "reinstate a member"
    let member = try write(key, as: Member.self, verb, target: memberId) {
      session throws(RegistryError) in
      guard let member = try session.member(memberId) else { throw Self.unknownMember(memberId) }
      let event: MemberEvent = suspended ? .suspended(reason: reason) : .reinstated(reason: reason)
      let sequence = try session.append([.member(id: memberId, event)])
      try session.audit(
        AuditEntry(actor: actor.description, action: event.name, target: memberId, detail: reason))
      return MemberEvent.apply(event, to: member, sequence: sequence)!
    }
    project()
    return member
  }

  /// Signs a client certificate for a member, from its CSR or (audited) with a key made here.
  /// A key made here is returned once and never stored, so a retried request gets no key.
  func issueCertificate(memberId: String, csrPEM: String?, actor: Actor, key: IdempotencyKey)
    throws(RegistryError) -> CertificateReceipt
  {
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
  func revokeCertificate(serialHex: String, reason: String, actor: Actor, key: IdempotencyKey)
    throws(RegistryError) -> RevocationReceipt
  {
    let serial = serialHex.lowercased().filter { $0 != ":" }
    return try write(key, as: RevocationReceipt.self, "revoke a certificate", target: serial) {
      session throws(RegistryError) in
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
  func auditLog(after id: Int64, limit: Int) throws(RegistryError) -> ([AuditRecord], Int64?) {
    try storageAccess {
      (try eventStore.auditLog(after: id, limit: limit), try eventStore.firstBrokenAuditRow())
    }
  }

  /// Whether a certificate serial has been revoked (checked on every member-listener call).
  func isRevoked(serialHex: String) throws(RegistryError) -> Bool {
    try storageAccess { try eventStore.isRevoked(serialHex: serialHex) }
  }

  // MARK: Checks

  /// Everything public about a party, once the read model has applied `minSequence`.
  func report(for identifier: PartyIdentifier, minSequence: UInt64) async throws(RegistryError) -> (
    PartyRecord, PartyAssessment
  ) {
    try await waitForSequence(minSequence)
    return try reports(for: [identifier])[0]
  }

  /// Reports for many parties, read in one transaction (clear parties from memory).
  func reports(for identifiers: [PartyIdentifier]) throws(RegistryError) -> [(
    PartyRecord, PartyAssessment
  )] {
    let today = clock.today
    return try storageAccess { try readModel.parties(identifiers) }.map { record in
      (
        record,
        record.listings.isEmpty ? .clear : PartyAssessment(listings: record.listings, today: today)
      )
    }
  }

  /// Parties matching a name (at least 3 characters; prefix, substring and typo tolerant), ranked,
  /// with each one's current status.
  func searchParties(_ query: String, limit: Int, offset: Int) throws(RegistryError) -> [(
    PartyName, ImpactStatus
  )] {
    guard query.trimmingCharacters(in: .whitespaces).count >= 3 else {
      throw .invalid("query", "QUERY_TOO_SHORT", "search needs at least 3 characters")
    }
    let today = clock.today
    return try storageAccess {
      try readModel.searchParties(query, limit: limit, offset: offset).map { match in
        let record = try readModel.party(match.identifier)
        return (match, PartyAssessment(listings: record.listings, today: today).status)
      }
    }
  }

  private func waitForSequence(_ sequence: UInt64) async throws(RegistryError) {
    guard sequence > 0 else { return }
    let deadline = ContinuousClock.now + readYourWritesWait
    while readModel.position() < sequence {
      project()
      guard ContinuousClock.now < deadline, !Task.isCancelled else {
        throw RegistryError(
          .unavailable, reason: "SEQUENCE_NOT_YET_APPLIED",
          message: "the read model has not yet reached sequence \(sequence); retry shortly")
      }
      try? await Task.sleep(for: .milliseconds(20))
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
    } catch  where error.code != .unavailable {
      auditRefusal(
        actor: key.principal, operation: operation, target: target, error: error,
        requestId: key.requestId)
      throw error
    }
  }

  /// Writes an audit row for a refused call (a failure to write it is logged, not thrown: the
  /// caller gets the refusal either way).
  func auditRefusal(
    actor: String, operation: String, target: String, error: RegistryError, requestId: String = ""
  ) {
    do {
      try eventStore.auditRefusal(
        AuditEntry(
          actor: actor, action: "Refused", target: target,
          detail: "\(operation): \(error.reason): \(error.message)"),
        requestId: requestId)
    } catch {
      logger.error("could not audit a refusal", metadata: ["error": "\(error)"])
    }
  }

  /// Brings the read model up to the log; a failure here loses nothing (the log is the truth) and
  /// is retried on the next write or wait.
  private func project() {
    do {
      try projector.catchUp()
    } catch {
      logger.error("projection failed", metadata: ["error": "\(error)"])
    }
  }

  private static func unknownMember(_ id: String) -> RegistryError {
    RegistryError(
      .notFound, reason: "MEMBER_NOT_FOUND", message: "no member \(id)", field: "member_id")
  }
}

extension Actor {
  /// The SAN URI that names this actor in a client certificate.
  var uri: String {
    switch self {
    case .member(let id): return "overdue:member:\(id)"
    case .operator(let name): return "overdue:operator:\(name)"
    case .scheduler: return "overdue:scheduler"
    }
  }

  /// The actor a certificate's SAN URI names, if any.
  init?(uri: String) {
    let parts = uri.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0] == "overdue", !parts[2].isEmpty else { return nil }
    switch parts[1] {
    case "member": self = .member(String(parts[2]))
    case "operator": self = .operator(String(parts[2]))
    default: return nil
    }
  }

  func mayRead(_ listing: Listing) -> Bool {
    switch self {
    case .member(let id): return listing.memberId == id
    case .operator, .scheduler: return true
    }
  }
}
