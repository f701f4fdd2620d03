/// The registry's stated limits on free text and collections, and the one check that applies them.
///
/// Lengths count Unicode scalars, not characters: a character can carry any number of combining
/// scalars, so a count of characters would not bound what is stored.
public enum InputBounds {
  /// What a text field may contain.
  public enum TextKind: Sendable, Equatable {
    /// One line (names, identifiers, references, queries, invoice numbers): no control
    /// characters at all (C0, DEL, C1, so no NUL, CR, LF or TAB) and no U+2028 or U+2029.
    case line
    /// Free text (notes, statements, reasons, descriptions): line feeds, tabs and CR LF pairs
    /// allowed; every other control character refused.
    case text
  }

  /// A party's legal name.
  public static let legalName = 300
  /// A member's display name.
  public static let displayName = 200
  /// A member's sector.
  public static let sector = 100
  /// An invoice number.
  public static let invoiceNumber = 64
  /// A payment's reference (e.g. a bank transfer's UTR).
  public static let paymentReference = 200
  /// A note on a settlement or withdrawal.
  public static let note = 2_000
  /// The reason for a rejection or a dispute decision.
  public static let reason = 2_000
  /// A party's statement in a dispute.
  public static let statement = 10_000
  /// The description of an evidence document.
  public static let evidenceDescription = 500
  /// A name search.
  public static let query = 200
  /// A caller's correlation id.
  public static let correlationId = 200
  /// A write's request id (its idempotency key).
  public static let requestId = 128
  /// A listing id.
  public static let listingId = 64
  /// A member id.
  public static let memberId = 64
  /// An identifier's value as given, before normalisation.
  public static let identifierValue = 64
  /// A certificate signing request in PEM.
  public static let csrPEM = 16_384
  /// Evidence documents on one listing.
  public static let evidenceDocuments = 20
  /// Instalments in one payment plan (`FilingPolicy.maxInstalments` may set a lower limit).
  public static let instalments = 120
  /// Items in one batch request.
  public static let batchItems = 10_000
  /// Parties on one watchlist.
  public static let watchlistParties = 10_000

  /// Refuses `text` when it has more than `max` Unicode scalars (`TOO_LONG`) or a character
  /// `kind` does not allow (`CONTROL_CHARACTER`); errors name `field`.
  public static func check(_ text: String, field: String, max: Int, kind: TextKind)
    throws(RegistryError)
  {
    // Most input is printable ASCII, where bytes are scalars and nothing is a control.
    if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
      guard text.utf8.count <= max else { throw tooLong(field, max) }
      return
    }
    var count = 0
    // A CR is a newline in text only as the first half of CR LF (what web forms send).
    var pendingCR = false
    for scalar in text.unicodeScalars {
      count += 1
      if pendingCR, scalar != "\n" { throw control(field, "\r", kind) }
      pendingCR = kind == .text && scalar == "\r"
      if !pendingCR, !allowed(scalar, kind) { throw control(field, scalar, kind) }
    }
    if pendingCR { throw control(field, "\r", kind) }
    guard count <= max else { throw tooLong(field, max) }
  }

  /// Refuses a collection of more than `max` items with `reason`, naming `field`.
  public static func checkCount(_ count: Int, field: String, max: Int, reason: String)
    throws(RegistryError)
  {
    guard count <= max else {
      throw .invalid(field, reason, "\(field) has at most \(max) items, got \(count)")
    }
  }

  /// Whether `scalar` may appear in text of `kind` (a CR is judged with the scalar after it).
  /// Bidirectional overrides and isolates are refused everywhere: in a name they would make it
  /// display as another (a party's or member's reputation hangs on how its name reads).
  static func allowed(_ scalar: Unicode.Scalar, _ kind: TextKind) -> Bool {
    if isBidirectionalControl(scalar.value) { return false }
    guard scalar.properties.generalCategory == .control else {
      return kind == .text || (scalar != "\u{2028}" && scalar != "\u{2029}")
    }
    return kind == .text && (scalar == "\n" || scalar == "\t")
  }

  /// U+202A–U+202E (embeddings and overrides) and U+2066–U+2069 (isolates).
  static func isBidirectionalControl(_ value: UInt32) -> Bool {
    (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
  }

  static func tooLong(_ field: String, _ max: Int) -> RegistryError {
    .invalid(field, "TOO_LONG", "\(field) has at most \(max) characters")
  }

  static func control(_ field: String, _ scalar: Unicode.Scalar, _ kind: TextKind)
    -> RegistryError
  {
    let hex = String(scalar.value, radix: 16, uppercase: true)
    let code = "U+" + String(repeating: "0", count: Swift.max(0, 4 - hex.count)) + hex
    let what =
      kind == .line ? "must be one line without control characters" : "has a control character"
    return .invalid(field, "CONTROL_CHARACTER", "\(field) \(what) (found \(code))")
  }
}
