/// The kinds of party identifier the registry accepts.
public enum IdentifierScheme: String, CaseIterable, Codable, Sendable {
  case gstin = "GSTIN"
  case pan = "PAN"
  case lei = "LEI"
  case vat = "VAT"
  case reg = "REG"
}
