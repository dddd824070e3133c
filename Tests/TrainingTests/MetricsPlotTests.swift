import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import Training
import _TestSupport

@Suite struct MetricsPlotTests {
    /// Lines survive a round trip; a torn last line (a killed run) is skipped; truncation for resume
    /// drops what came after the checkpoint.
    @Test func metricsLogRoundTripAndResume() throws {
        let dir = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("metrics.jsonl")
        let log = try MetricsLog(url: url)
        for u in 1...5 { try log.append(MetricsRecord(kind: "train", update: u, epoch: 1, values: ["loss": 10 - Double(u)])) }
        try log.append(MetricsRecord(kind: "valid", update: 5, epoch: 1, values: ["loss": 6, "accuracy": 0.4]))
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd(); try handle.write(contentsOf: Data(#"{"kind":"tra"#.utf8)); try handle.close()
        let records = try MetricsLog.read(url)
        #expect(records.count == 6 && records[5].values["accuracy"] == 0.4 && records[2].values["loss"] == 7)
        try MetricsLog.truncate(url, after: 3)
        #expect(try MetricsLog.read(url).map(\.update) == [1, 2, 3])
    }

    /// Tick labels keep integer zeros and drop only decimal ones.
    @Test func tickLabels() {
        #expect(SVGPlot.label(2010) == "2010" && SVGPlot.label(100) == "100" && SVGPlot.label(40) == "40")
        #expect(SVGPlot.label(2.5) == "2.5" && SVGPlot.label(0.25) == "0.25" && SVGPlot.label(0.1) == "0.1")
        #expect(SVGPlot.label(-3) == "-3" && SVGPlot.label(1_500_000) == "1.5e+06" && SVGPlot.label(0) == "0")
    }

    /// The training-curve SVGs are well-formed XML with one polyline per series of ≥ 2 points, whose
    /// points stay inside the plot area and fall as the loss falls.
    @Test func trainingCurvesAreWellFormedSVG() throws {
        let dir = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let records = (1...20).map { MetricsRecord(kind: "train", update: $0 * 10, epoch: 1, values: ["loss": 8 / Double($0), "accuracy": Double($0) / 25]) }
            + [MetricsRecord(kind: "valid", update: 100, epoch: 1, values: ["loss": 1.2, "accuracy": 0.5]),
               MetricsRecord(kind: "valid", update: 200, epoch: 1, values: ["loss": 0.9, "accuracy": 0.6])]
        let urls = try SVGPlot.writeTrainingCurves(records, to: dir)
        final class Collector: NSObject, XMLParserDelegate {
            var polylines: [[(Double, Double)]] = []
            func parser(_ p: XMLParser, didStartElement e: String, namespaceURI: String?, qualifiedName: String?, attributes a: [String: String]) {
                guard e == "polyline", let pts = a["points"] else { return }
                polylines.append(pts.split(separator: " ").map { pair in
                    let xy = pair.split(separator: ",").map { Double($0)! }
                    return (xy[0], xy[1])
                })
            }
        }
        let c = Collector()
        let parser = XMLParser(data: try Data(contentsOf: urls[0]))
        parser.delegate = c
        #expect(parser.parse())
        #expect(c.polylines.count == 2 && c.polylines[0].count == 20)
        let train = c.polylines[0]
        #expect(train.allSatisfy { (70...700).contains($0.0) && (40...370).contains($0.1) })
        #expect(train.first!.1 < train.last!.1)   // SVG y grows downwards: falling loss, rising y
    }
}
