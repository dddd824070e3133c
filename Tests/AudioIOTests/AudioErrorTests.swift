import Testing
import AudioIO

@Suite struct AudioErrorTests {
    @Test func messagesNameTheFile() {
        let e = AudioError.noSuchChannel(path: "a.wav", channel: 3, channels: 2)
        #expect(e.description.contains("a.wav") && e.description.contains("channel 3"))
    }
}
