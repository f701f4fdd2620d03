import ArgumentParser
import Foundation
import OverdueAPI

/// Evidence documents read from files named on the command line.
enum EvidenceFiles {
  static func load(_ paths: [String]) throws -> [Overdue_V1_Evidence] {
    try paths.map { path in
      let url = URL(fileURLWithPath: path)
      guard let content = FileManager.default.contents(atPath: path) else {
        throw ValidationError("cannot read evidence file \(path)")
      }
      var evidence = Overdue_V1_Evidence()
      evidence.description_p = url.lastPathComponent
      evidence.content = content
      switch url.pathExtension.lowercased() {
      case "pdf": evidence.contentType = "application/pdf"
      case "png": evidence.contentType = "image/png"
      case "jpg", "jpeg": evidence.contentType = "image/jpeg"
      default: throw ValidationError("evidence must be a .pdf, .png or .jpg file: \(path)")
      }
      return evidence
    }
  }
}
