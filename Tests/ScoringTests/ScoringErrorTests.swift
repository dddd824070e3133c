import Testing
import Scoring

@Suite struct ScoringErrorTests {
    @Test func lineCountMessage() {
        let e = ScoringError.lineCountMismatch(hypothesis: "h.txt", hypothesisLines: 3, reference: "r.txt", referenceLines: 4)
        #expect(e.description.contains("h.txt has 3 lines"))
    }
}
