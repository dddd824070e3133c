import Testing
import NN

@Suite struct NNErrorTests {
    @Test func messagesNameFileAndPath() {
        let e = NNError.shapeMismatch(path: "layers.0.fc1.weight", expected: [4, 2], found: [2, 4], file: "m.safetensors")
        #expect(e.description == "m.safetensors: 'layers.0.fc1.weight' has shape [2, 4], the model expects [4, 2]")
    }
}
