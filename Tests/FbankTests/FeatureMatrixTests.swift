import Testing
import Fbank

@Suite struct FeatureMatrixTests {
    @Test func rowMajorIndexing() {
        var m = FeatureMatrix(rows: 2, cols: 3)
        m[1, 2] = 5
        #expect(m.values == [0, 0, 0, 0, 0, 5])
        #expect(m.row(1) == [0, 0, 5])
    }
}
