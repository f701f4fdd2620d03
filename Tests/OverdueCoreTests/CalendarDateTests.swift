import Foundation
import OverdueCore
import Testing

@Suite("Calendar dates")
struct CalendarDateTests {
  @Test func parsesAndPrintsRoundTrip() throws {
    for text in ["1970-01-01", "2024-02-29", "2026-11-23", "1999-12-31"] {
      #expect(try #require(CalendarDate(text)).description == text)
    }
    #expect(CalendarDate("1970-01-01")?.dayNumber == 0)
  }

  @Test func everyYearFromOneToNineThousandNineHundredNinetyNinePrintsAndParsesBack() throws {
    let first = try #require(CalendarDate("0001-01-01")).dayNumber
    let last = try #require(CalendarDate("9999-12-31")).dayNumber
    for dayNumber in stride(from: first, through: last, by: 97) + [last] {
      let date = CalendarDate(dayNumber: dayNumber)
      let (year, month, day) = date.components
      #expect(date.description.utf8.count == 10)
      #expect(CalendarDate(date.description) == date, "\(year)-\(month)-\(day)")
    }
  }

  @Test(
    "rejects malformed dates",
    arguments: [
      "2025-02-29", "2026-13-01", "2026-1-01", "26-11-23", "2026-11-23T00:00", "", "abcd-ef-gh",
    ])
  func rejects(_ text: String) {
    #expect(CalendarDate(text) == nil)
  }

  @Test func arithmetic() throws {
    let leap = try #require(CalendarDate("2024-02-29"))
    #expect(leap.adding(years: 1).description == "2025-02-28")
    #expect(leap.adding(days: 1).description == "2024-03-01")
    #expect(leap.days(until: try #require(CalendarDate("2024-03-31"))) == 31)
  }

  @Test func dayOfAnInstantDependsOnTheZone() {
    let instant = Date(timeIntervalSince1970: 1_700_000_000)  // 2023-11-14T22:13:20Z
    #expect(CalendarDate(instant, in: TimeZone(identifier: "UTC")!).description == "2023-11-14")
    #expect(
      CalendarDate(instant, in: TimeZone(identifier: "Asia/Kolkata")!).description == "2023-11-15")
  }
}
