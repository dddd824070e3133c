import Foundation

/// A line chart written as a self-contained SVG (no dependencies): several named series of (x, y)
/// points on shared axes with "nice" ticks, a legend, axis labels. For training curves and
/// memory/time-versus-length plots.
public struct SVGPlot {
    public struct Series { public var name: String; public var points: [(Double, Double)]
        public init(name: String, points: [(Double, Double)]) { (self.name, self.points) = (name, points) } }

    public var title: String, xLabel: String, yLabel: String
    public var series: [Series]
    public var width = 720.0, height = 420.0

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        (self.title, self.xLabel, self.yLabel, self.series) = (title, xLabel, yLabel, series)
    }

    static let colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    /// Tick values covering lo...hi: 1, 2 or 5 × 10^k steps, about five of them.
    static func ticks(_ lo: Double, _ hi: Double) -> [Double] {
        guard hi > lo else { return [lo] }
        let raw = (hi - lo) / 5, magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw }!
        return stride(from: ceil(lo / step) * step, through: hi + step * 1e-9, by: step).map { $0 }
    }

    /// A tick label: integers as they are (2010, not 201), decimals without trailing zeros.
    public static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        if abs(v) >= 1e5 || abs(v) < 1e-3 { return String(format: "%.1e", v) }
        if abs(v) >= 100 || v == v.rounded() { return String(format: "%.0f", v) }
        let text = String(format: abs(v) >= 1 ? "%.2f" : "%.3f", v)
        return text.replacingOccurrences(of: #"\.?0+$"#, with: "", options: .regularExpression)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    public func svg() -> String {
        let points = series.flatMap(\.points).filter { $0.0.isFinite && $0.1.isFinite }
        let (left, right, top, bottom) = (70.0, 20.0, 40.0, 50.0)
        var out = #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(Int(width))" height="\#(Int(height))" font-family="sans-serif" font-size="12">"#
        out += #"<rect width="100%" height="100%" fill="white"/>"#
        out += #"<text x="\#(width / 2)" y="22" text-anchor="middle" font-size="15">\#(Self.escape(title))</text>"#
        guard let x0 = points.map(\.0).min(), let x1 = points.map(\.0).max(), let y0 = points.map(\.1).min(),
              let y1 = points.map(\.1).max() else { return out + "<text x=\"70\" y=\"80\">no data</text></svg>\n" }
        let (xl, xh) = x1 > x0 ? (x0, x1) : (x0 - 1, x0 + 1)
        let pad = (y1 - y0) * 0.05
        let (yl, yh) = y1 > y0 ? (y0 - pad, y1 + pad) : (y0 - 1, y0 + 1)
        let pw = width - left - right, ph = height - top - bottom
        func px(_ x: Double) -> Double { left + (x - xl) / (xh - xl) * pw }
        func py(_ y: Double) -> Double { top + (1 - (y - yl) / (yh - yl)) * ph }
        out += #"<rect x="\#(left)" y="\#(top)" width="\#(pw)" height="\#(ph)" fill="none" stroke="rgb(68,68,68)"/>"#
        for t in Self.ticks(xl, xh) {
            out += #"<line x1="\#(px(t))" y1="\#(top + ph)" x2="\#(px(t))" y2="\#(top + ph + 5)" stroke="rgb(68,68,68)"/>"#
            out += #"<text x="\#(px(t))" y="\#(top + ph + 18)" text-anchor="middle">\#(Self.label(t))</text>"#
        }
        for t in Self.ticks(yl, yh) {
            out += #"<line x1="\#(left)" y1="\#(py(t))" x2="\#(left + pw)" y2="\#(py(t))" stroke="rgb(221,221,221)"/>"#
            out += #"<text x="\#(left - 6)" y="\#(py(t) + 4)" text-anchor="end">\#(Self.label(t))</text>"#
        }
        out += #"<text x="\#(left + pw / 2)" y="\#(height - 10)" text-anchor="middle">\#(Self.escape(xLabel))</text>"#
        out += #"<text transform="translate(16 \#(top + ph / 2)) rotate(-90)" text-anchor="middle">\#(Self.escape(yLabel))</text>"#
        for (i, s) in series.enumerated() {
            let colour = Self.colours[i % Self.colours.count]
            let path = s.points.filter { $0.0.isFinite && $0.1.isFinite }.map { String(format: "%.1f,%.1f", px($0.0), py($0.1)) }
            if path.count > 1 {
                out += #"<polyline fill="none" stroke="\#(colour)" stroke-width="1.5" points="\#(path.joined(separator: " "))"/>"#
            } else if let p = s.points.first {
                out += #"<circle cx="\#(px(p.0))" cy="\#(py(p.1))" r="3" fill="\#(colour)"/>"#
            }
            let ly = top + 14 + Double(i) * 16
            out += #"<line x1="\#(left + pw - 150)" y1="\#(ly - 4)" x2="\#(left + pw - 130)" y2="\#(ly - 4)" stroke="\#(colour)" stroke-width="2"/>"#
            out += #"<text x="\#(left + pw - 125)" y="\#(ly)">\#(Self.escape(s.name))</text>"#
        }
        return out + "</svg>\n"
    }

    /// Writes the SVG atomically.
    public func write(to url: URL) throws { try Data(svg().utf8).write(to: url, options: .atomic) }
}

extension SVGPlot {
    /// The training-curve plots of an experiment's metrics: loss (train and valid, base 2 per token)
    /// and token accuracy, as `loss.svg` and `accuracy.svg` in `directory`.
    public static func writeTrainingCurves(_ records: [MetricsRecord], to directory: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func series(_ kind: String, _ key: String, _ name: String) -> Series {
            Series(name: name, points: records.filter { $0.kind == kind }.compactMap { r in r.values[key].map { (Double(r.update), $0) } })
        }
        let loss = SVGPlot(title: "Loss", xLabel: "updates", yLabel: "loss (bits per token)",
                           series: [series("train", "loss", "train"), series("valid", "loss", "valid")])
        let accuracy = SVGPlot(title: "Token accuracy", xLabel: "updates", yLabel: "accuracy",
                               series: [series("train", "accuracy", "train"), series("valid", "accuracy", "valid")])
        let urls = [directory.appendingPathComponent("loss.svg"), directory.appendingPathComponent("accuracy.svg")]
        try loss.write(to: urls[0])
        try accuracy.write(to: urls[1])
        return urls
    }
}
