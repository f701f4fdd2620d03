import ArgumentParser
import OverdueClient
import OverdueCore

/// Amounts typed on the command line, refused with the option's name.
enum AmountOption {
  static func minor(_ text: String, currency: String, option: String) throws -> Int64 {
    do {
      return try MoneyText.minor(text, currency: currency)
    } catch {
      throw ValidationError("\(option) must be \(error.description)")
    }
  }
}
