import Crypto
import Foundation
import OverdueAPI
import OverdueCore
import OverdueStore
import SwiftProtobuf

/// Turns request fields into domain values, naming the field on any error.
enum RequestParsing {
  static let evidenceContentTypes = Set(EvidenceContent.signatures.keys)
  static let maxEvidenceBytes = 8 << 20

  /// The idempotency key of a write: the caller, its request id and a digest of the whole request.
  static func key(_ actor: Actor, requestId: String, request: some SwiftProtobuf.Message)
    throws(RegistryError) -> IdempotencyKey
  {
    let trimmed = requestId.trimmingCharacters(in: .whitespaces)
    guard !trimmed.isEmpty else {
      throw .invalid(
        "request_id", "MISSING_REQUEST_ID", "every write needs a request_id (retries reuse it)")
    }
    try InputBounds.check(trimmed, field: "request_id", max: InputBounds.requestId, kind: .line)
    let bytes: [UInt8] = (try? request.serializedBytes()) ?? []
    let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    return IdempotencyKey(principal: actor.description, requestId: trimmed, fingerprint: digest)
  }

  static func party(_ party: Overdue_V1_PartyIdentifier, field: String = "party")
    throws(RegistryError) -> PartyIdentifier
  {
    try PartyIdentifier.parse(scheme: party.scheme, value: party.value, field: field)
  }

  static func date(_ text: String, field: String) throws(RegistryError) -> CalendarDate {
    guard !text.isEmpty else {
      throw .invalid(field, "MISSING_DATE", "\(field) is required (YYYY-MM-DD)")
    }
    guard let date = CalendarDate(text) else {
      throw .invalid(
        field, "INVALID_DATE", "\(field) '\(text)' is not a date in the form YYYY-MM-DD")
    }
    return date
  }

  static func listingId(_ text: String) throws(RegistryError) -> String {
    guard !text.isEmpty else {
      throw .invalid("listing_id", "MISSING_LISTING_ID", "listing_id is required")
    }
    try InputBounds.check(text, field: "listing_id", max: InputBounds.listingId, kind: .line)
    return text
  }

  /// A member id as an operator names it.
  static func memberId(_ text: String) throws(RegistryError) -> String {
    guard !text.isEmpty else {
      throw .invalid("member_id", "MISSING_MEMBER_ID", "member_id is required")
    }
    try InputBounds.check(text, field: "member_id", max: InputBounds.memberId, kind: .line)
    return text
  }

  static func currency(_ text: String) throws(RegistryError) -> String {
    let code = text.uppercased()
    guard code.count == 3, code.allSatisfy({ $0.isASCII && $0.isLetter }) else {
      throw .invalid(
        "currency", "INVALID_CURRENCY",
        "currency must be an ISO 4217 code such as INR, got '\(text)'")
    }
    return code
  }

  static func invoices(_ invoices: [Overdue_V1_Invoice]) throws(RegistryError) -> [Invoice] {
    var result: [Invoice] = []
    for (index, invoice) in invoices.enumerated() {
      let field = "invoices[\(index)]"
      result.append(
        Invoice(
          number: invoice.number,
          issuedOn: try date(invoice.issuedOn, field: "\(field).issued_on"),
          dueOn: try date(invoice.dueOn, field: "\(field).due_on"),
          amountMinor: invoice.amountMinor))
    }
    return result
  }

  /// Checks each document (type, size, digest) and returns the listing's references and the bytes to store.
  /// A FileDefault request as a domain filing, with its evidence documents to store.
  static func filing(_ request: Overdue_V1_FileDefaultRequest, listingId: String)
    throws(RegistryError) -> (filing: Filing, documents: [StoredEvidence])
  {
    let (references, documents) = try evidence(request.evidence, field: "evidence")
    let filing = Filing(
      listingId: listingId, party: try party(request.party), legalName: request.legalName,
      currency: try currency(request.currency), invoices: try invoices(request.invoices),
      noticeServedOn: try date(request.noticeServedOn, field: "notice_served_on"),
      evidence: references)
    return (filing, documents)
  }

  static func evidence(_ documents: [Overdue_V1_Evidence], field: String) throws(RegistryError) -> (
    [EvidenceReference], [StoredEvidence]
  ) {
    var references: [EvidenceReference] = []
    var stored: [StoredEvidence] = []
    for (index, document) in documents.enumerated() {
      let path = "\(field)[\(index)]"
      guard evidenceContentTypes.contains(document.contentType) else {
        throw .invalid(
          "\(path).content_type", "UNSUPPORTED_CONTENT_TYPE",
          "evidence must be application/pdf, image/png or image/jpeg")
      }
      guard !document.content.isEmpty else {
        throw .invalid("\(path).content", "EMPTY_DOCUMENT", "the document is empty")
      }
      guard EvidenceContent.matches(document.content, contentType: document.contentType) else {
        throw .invalid(
          "\(path).content", "CONTENT_TYPE_MISMATCH",
          "the document's bytes are not a \(document.contentType) file")
      }
      guard document.content.count <= maxEvidenceBytes else {
        throw .invalid(
          "\(path).content", "DOCUMENT_TOO_LARGE",
          "a document has at most \(maxEvidenceBytes >> 20) MiB")
      }
      let digest = SHA256.hash(data: document.content).map { String(format: "%02x", $0) }.joined()
      guard document.sha256Hex.isEmpty || document.sha256Hex.lowercased() == digest else {
        throw .invalid(
          "\(path).sha256_hex", "DIGEST_MISMATCH",
          "the document's SHA-256 is \(digest), not \(document.sha256Hex)")
      }
      references.append(
        EvidenceReference(
          sha256Hex: digest, description: document.description_p, contentType: document.contentType,
          sizeBytes: document.content.count))
      stored.append(
        StoredEvidence(
          sha256Hex: digest, contentType: document.contentType, content: document.content))
    }
    return (references, stored)
  }

  /// A free-text reason an operator gives (suspension, revocation), within its bound.
  static func reason(_ text: String) throws(RegistryError) -> String {
    try InputBounds.check(text, field: "reason", max: InputBounds.reason, kind: .text)
    return text
  }

  static func withdrawalReason(_ reason: Overdue_V1_WithdrawalReason) throws(RegistryError)
    -> WithdrawalReason
  {
    switch reason {
    case .paidBeforeListing: return .paidBeforeListing
    case .filedInError: return .filedInError
    case .privateAgreement: return .privateAgreement
    default:
      throw .invalid(
        "reason", "MISSING_WITHDRAWAL_REASON",
        "give a withdrawal reason: PAID_BEFORE_LISTING, FILED_IN_ERROR or PRIVATE_AGREEMENT")
    }
  }

  static func instalments(_ instalments: [Overdue_V1_Instalment]) throws(RegistryError)
    -> [Instalment]
  {
    var result: [Instalment] = []
    for (index, instalment) in instalments.enumerated() {
      result.append(
        Instalment(
          dueOn: try date(instalment.dueOn, field: "instalments[\(index)].due_on"),
          amountMinor: instalment.amountMinor))
    }
    return result
  }

  static func outcome(_ outcome: Overdue_V1_DisputeOutcome) throws(RegistryError) -> DisputeOutcome
  {
    switch outcome {
    case .forMember: return .forMember
    case .forParty: return .forParty
    default:
      throw .invalid(
        "outcome", "MISSING_OUTCOME", "give an outcome: DISPUTE_OUTCOME_FOR_MEMBER or _FOR_PARTY")
    }
  }

  static func state(_ state: Overdue_V1_ListingState) -> ListingState? {
    ListingState.allCases.first { Overdue_V1_ListingState($0) == state }
  }

  /// A page size within 1...500 (default 50) and an opaque cursor.
  static func page(size: Int32, token: String) -> (limit: Int, cursor: String) {
    let limit = size <= 0 ? 50 : min(Int(size), 500)
    let cursor = Data(base64Encoded: token).map { String(decoding: $0, as: UTF8.self) } ?? ""
    return (limit, cursor)
  }

  /// A watchlist call's parties, validated and normalised as in a check, at most 10,000.
  static func watchlistParties(_ parties: [Overdue_V1_PartyIdentifier]) throws(RegistryError)
    -> [PartyIdentifier]
  {
    try InputBounds.checkCount(
      parties.count, field: "parties", max: InputBounds.watchlistParties, reason: "TOO_MANY_PARTIES"
    )
    guard !parties.isEmpty else {
      throw .invalid("parties", "NO_PARTIES", "name at least one party")
    }
    var result: [PartyIdentifier] = []
    for (index, party) in parties.enumerated() {
      result.append(try Self.party(party, field: "parties[\(index)]"))
    }
    return result
  }

  /// An opaque token for a cursor.
  static func pageToken(cursor: String) -> String {
    Data(cursor.utf8).base64EncodedString()
  }

  /// An opaque token for a result offset.
  static func pageToken(offset: Int) -> String {
    Data("offset:\(offset)".utf8).base64EncodedString()
  }

  static func offset(fromPageToken token: String) throws(RegistryError) -> Int {
    guard !token.isEmpty else { return 0 }
    guard let data = Data(base64Encoded: token),
      case let text = String(decoding: data, as: UTF8.self), text.hasPrefix("offset:"),
      let offset = Int(text.dropFirst(7)), offset >= 0
    else {
      throw .invalid("page_token", "INVALID_PAGE_TOKEN", "page_token is not one this server gave")
    }
    return offset
  }

  static func nextPageToken(_ listings: [Listing], limit: Int) -> String {
    guard listings.count == limit, let last = listings.last else { return "" }
    return pageToken(cursor: last.id)
  }
}
