import Foundation
import Testing
import _TestSupport
import Scoring

/// Loading the goldens copied from the reference tools into `Data/reference`.
enum Golden {
    static func lines(_ name: String) throws -> [String] {
        try TextLines.split(try Data(contentsOf: TestData.reference("scoring/" + name)), name: name)
    }
    static func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: try Data(contentsOf: TestData.reference(path))) as! [String: Any]
    }
    static func scores(_ lang: String) throws -> [String: Any] {
        let j = try json("scoring/expected.json")
        return ((j["sets"] as! [String: Any])[lang] as! [String: Any])["scores"] as! [String: Any]
    }
}

/// Tolerance of reference/README §3: scores are double precision in the reference, so a
/// re-implementation that sums in another order may differ in the last bits: 1e-9 relative,
/// or 1e-6 absolute on the 0–100 scale (1e-8 on a 0–1 scale).
func close(_ a: Double, _ b: Double, scale: Double = 100) -> Bool {
    abs(a - b) <= max(1e-9 * abs(b), 1e-6 * scale / 100)
}

/// A JSON number as the nearest double (via its decimal text: corelibs' `doubleValue` of a parsed
/// number may be off by one ulp, which would break the bit-exact checks).
func d(_ x: Any?) -> Double { let n = (x as? NSNumber)!; return Double("\(n)") ?? n.doubleValue }
func i(_ x: Any?) -> Int { (x as? NSNumber)!.intValue }
