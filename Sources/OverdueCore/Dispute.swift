/// How a dispute was decided.
public enum DisputeOutcome: String, Codable, Sendable, CaseIterable {
  /// The listing stands and returns to its earlier state.
  case forMember = "FOR_MEMBER"
  /// The listing is voided: it leaves the public view and stays in the log.
  case forParty = "FOR_PARTY"
}

/// A dispute the party raised, as the operator recorded it, and how it ended.
public struct Dispute: Codable, Sendable, Equatable {
  public var raisedOn: CalendarDate
  public var statement: String
  /// The state the listing was in when the dispute was recorded (it returns there if dismissed).
  public var previousState: ListingState
  public var decidedOn: CalendarDate?
  public var outcome: DisputeOutcome?

  public init(raisedOn: CalendarDate, statement: String, previousState: ListingState) {
    self.raisedOn = raisedOn
    self.statement = statement
    self.previousState = previousState
  }
}

/// Why a listing left the public view on its own.
public enum PublicViewRemoval: String, Codable, Sendable {
  /// `history_years` after settlement.
  case historyRetentionEnded = "HISTORY_RETENTION_ENDED"
  /// `max_listing_years` after listing, unsettled.
  case maximumListingAgeReached = "MAXIMUM_LISTING_AGE_REACHED"
}
