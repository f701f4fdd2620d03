/// Follows `next_page_token`s until the last page.
enum Paging {
  static func all<Request, Page, Item>(
    _ first: Request, token: WritableKeyPath<Request, String>, next: KeyPath<Page, String>,
    items: KeyPath<Page, [Item]>,
    fetch: (Request) async throws -> Page
  ) async throws -> [Item] {
    var request = first
    var all: [Item] = []
    repeat {
      let page = try await fetch(request)
      all += page[keyPath: items]
      request[keyPath: token] = page[keyPath: next]
    } while !request[keyPath: token].isEmpty
    return all
  }
}
