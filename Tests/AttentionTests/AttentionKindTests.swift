import Testing
import Attention

@Suite struct AttentionKindTests {
    @Test func parsesReferenceNames() {
        #expect(AttentionKind(caseInsensitive: "MTLA") == .mtla)
        #expect(AttentionKind(caseInsensitive: "Gqa") == .gqa)
        #expect(AttentionKind(caseInsensitive: "mha2") == nil)
        #expect(AttentionKind.allCases.count == 5)
    }
}
