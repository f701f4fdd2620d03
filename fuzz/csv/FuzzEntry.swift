import Foundation
import OverdueFuzzTargets

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
  FuzzTargets.csv(Data(bytes: start, count: count))
  return 0
}
