import Foundation

extension WindowType {
    /// The window's `length` coefficients (Kaldi `FeatureWindowFunction`), computed in Double.
    public func coefficients(length n: Int, blackmanCoeff: Double = 0.42) -> [Double] {
        let a = 2 * Double.pi / Double(n - 1)
        return (0..<n).map { i in
            let x = Double(i)
            switch self {
            case .povey: return pow(0.5 - 0.5 * cos(a * x), 0.85)
            case .hanning: return 0.5 - 0.5 * cos(a * x)
            case .hamming: return 0.54 - 0.46 * cos(a * x)
            case .rectangular: return 1
            case .blackman: return blackmanCoeff - 0.5 * cos(a * x) + (0.5 - blackmanCoeff) * cos(2 * a * x)
            }
        }
    }
}
