/// Which channel of a multi-channel file to use.
///
/// Kaldi refuses multi-channel audio; the toolkit instead averages the channels by default
/// (as fairseq's sox `channels 1` does), or takes one channel by index.
public enum ChannelSelection: Sendable, Equatable {
    /// The mean of all channels, computed in Float32 ((L + R) / 2 for stereo).
    case average
    /// Channel `index` (0-based).
    case index(Int)

    /// `-1` means average, `0…` a channel index (the `--channel` option's convention).
    public init(option: Int) {
        self = option < 0 ? .average : .index(option)
    }

    /// Mixes interleaved `samples` (`frames × channels`) down to one channel.
    /// - Throws: `AudioError.noSuchChannel` when the index is out of range.
    public func mix(_ samples: [Float], channels: Int, name: String) throws -> [Float] {
        if case let .index(i) = self, i >= channels {
            throw AudioError.noSuchChannel(path: name, channel: i, channels: channels)
        }
        if channels == 1 { return samples }
        let frames = samples.count / channels
        return [Float](unsafeUninitializedCapacity: frames) { out, count in
            samples.withUnsafeBufferPointer { s in
                switch self {
                case .index(let c):
                    for t in 0..<frames { out[t] = s[t * channels + c] }
                case .average:
                    let scale = Float(channels)
                    for t in 0..<frames {
                        var acc: Float = 0
                        for c in 0..<channels { acc += s[t * channels + c] }
                        out[t] = acc / scale
                    }
                }
            }
            count = frames
        }
    }
}
