import Foundation
import OverdueCore

/// Realistic-looking parties for demos and benchmarks: valid GSTINs (with their mod-36 check
/// character, embedding company or firm PANs) and company-like names, from a seeded generator so
/// every run makes the same ones.
public struct SyntheticParties: Sendable {
  public static let words = [
    "Acme", "Bharat", "Deccan", "Ganga", "Himalaya", "Indus", "Kaveri", "Lotus", "Malabar",
    "Narmada", "Orient",
    "Pioneer", "Quality", "Royal", "Sagar", "Tapti", "Unity", "Vijay", "Western", "Yamuna",
    "Zenith", "Shree",
    "Sai", "Om", "Laxmi", "Ganesh", "Krishna", "Apex", "Global", "National",
  ]
  public static let trades = [
    "Steel", "Textiles", "Foods", "Pharma", "Chemicals", "Traders", "Logistics", "Plastics",
    "Electricals",
    "Fabrication", "Agro", "Motors", "Paper", "Cement", "Garments", "Spices", "Tiles", "Packaging",
  ]
  public static let forms = [
    "Private Limited", "LLP", "Limited", "& Co", "Enterprises", "Industries",
  ]
  public static let stateCodes = GSTIN.stateCodes.keys.filter { $0 < "39" }.sorted()
  public static let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")

  private var generator: SeededGenerator

  public init(seed: UInt64) { generator = SeededGenerator(seed: seed) }

  /// A company or firm PAN.
  public mutating func pan() -> String {
    var pan = ""
    for _ in 0..<3 { pan.append(Self.letters.randomElement(using: &generator)!) }
    pan.append(["C", "F"].randomElement(using: &generator)!)
    pan.append(Self.letters.randomElement(using: &generator)!)
    pan += String(format: "%04d", Int.random(in: 0...9999, using: &generator))
    pan.append(Self.letters.randomElement(using: &generator)!)
    return pan
  }

  /// A valid regular GSTIN (`entity` is the 13th character) for `pan`, or for a new PAN.
  public mutating func gstin(pan: String? = nil, entity: Character = "1") -> String {
    let body =
      Self.stateCodes.randomElement(using: &generator)! + (pan ?? self.pan()) + String(entity) + "Z"
    return body + String(GSTIN.checkCharacter(Array(body)))
  }

  /// A company-like name.
  public mutating func name() -> String {
    [
      Self.words.randomElement(using: &generator)!, Self.words.randomElement(using: &generator)!,
      Self.trades.randomElement(using: &generator)!, Self.forms.randomElement(using: &generator)!,
    ].joined(separator: " ")
  }
}

/// A small deterministic random number generator (SplitMix64), so runs are repeatable.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  private var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
