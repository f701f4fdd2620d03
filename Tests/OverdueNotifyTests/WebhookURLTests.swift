import Testing

@testable import OverdueNotify

@Suite("Webhook URL validation")
struct WebhookURLTests {
  @Test func httpsURLsWithAHostAreAccepted() throws {
    let plain = try WebhookURL("https://hooks.example.com/overdue")
    #expect(plain.host == "hooks.example.com")
    #expect(plain.port == 443)
    #expect(plain.isHostName)
    let ported = try WebhookURL("https://hooks.example.com:8443/in?tenant=7")
    #expect(ported.port == 8443)
    #expect(ported.string == "https://hooks.example.com:8443/in?tenant=7")
    let v4 = try WebhookURL("https://93.184.216.34/")
    #expect(v4.host == "93.184.216.34")
    #expect(!v4.isHostName)
    let v6 = try WebhookURL("https://[2606:4700:4700::1111]:8443/")
    #expect(v6.host == "2606:4700:4700::1111")
    #expect(v6.port == 8443)
    #expect(try WebhookURL("HTTPS://hooks.example.com/").host.lowercased() == "hooks.example.com")
  }

  @Test(arguments: [
    ("http://hooks.example.com/", WebhookURLError.Code.notHTTPS),
    ("ftp://hooks.example.com/", .notHTTPS),
    ("https://user:secret@hooks.example.com/", .userInfo),
    ("https://user@hooks.example.com/", .userInfo),
    ("https:///hooks", .missingHost),
    ("hooks.example.com/hooks", .malformed),
    ("", .malformed),
    ("https://hooks example.com/", .malformed),
    ("https://hooks.example.com:70000/", .malformed),
    ("https://hooks!.example.com/", .malformed),
    ("https://-hooks.example.com/", .malformed),
    ("https://" + String(repeating: "a", count: 1990) + ".com/", .tooLong),
    ("https://127.0.0.1/", .disallowedAddress),
    ("https://10.0.0.8:8443/", .disallowedAddress),
    ("https://[::1]/", .disallowedAddress),
    ("https://[::ffff:127.0.0.1]/", .disallowedAddress),
    ("https://169.254.169.254/latest/meta-data", .disallowedAddress),
  ])
  func refusalsSayWhy(_ text: String, _ code: WebhookURLError.Code) {
    do {
      let url = try WebhookURL(text)
      Issue.record("accepted \(text) as \(url.host)")
    } catch {
      #expect(error.code == code, "\(text): \(error.reason)")
      #expect(!error.reason.isEmpty)
    }
  }

  @Test func reasonsNameTheProblem() {
    func reason(_ text: String) -> String {
      do {
        _ = try WebhookURL(text)
        return ""
      } catch { return error.reason }
    }
    #expect(reason("http://hooks.example.com/").contains("https"))
    #expect(reason("https://u:p@hooks.example.com/").contains("user name or password"))
    #expect(reason("https://" + String(repeating: "a", count: 2000)).contains("2000"))
    #expect(reason("https://127.0.0.1/").contains("private address (loopback)"))
  }

  @Test func exactly2000CharactersIsStillAllowed() throws {
    let prefix = "https://hooks.example.com/"
    let text = prefix + String(repeating: "a", count: WebhookURL.maximumLength - prefix.count)
    #expect(text.count == 2000)
    #expect(try WebhookURL(text).string == text)
  }

  @Test func privateAddressesPassWhenThePolicyAllowsThem() throws {
    let url = try WebhookURL(
      "https://127.0.0.1:8443/hooks", policy: WebhookAddressPolicy(allowPrivate: true))
    #expect(url.host == "127.0.0.1")
    #expect(url.port == 8443)
  }
}
