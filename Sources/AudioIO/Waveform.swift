/// A mono signal: samples in [-1, 1) at `sampleRate`.
public struct Waveform: Sendable, Equatable {
    public var samples: [Float]
    public var sampleRate: Int
    public init(samples: [Float], sampleRate: Int) {
        self.samples = samples
        self.sampleRate = sampleRate
    }
    public var duration: Double { Double(samples.count) / Double(sampleRate) }
}

/// A time range in seconds within a recording (a Kaldi `segments` line). `end == nil` means to the end.
public struct TimeSegment: Sendable, Equatable {
    public var start: Double
    public var end: Double?
    public init(start: Double, end: Double?) {
        self.start = start
        self.end = end
    }
}

/// How to turn a file into the mono waveform the front end wants.
public struct AudioRequest: Sendable, Equatable {
    public var channel: ChannelSelection
    public var segment: TimeSegment?
    /// Resample to this rate with soxr when the file differs (nil: keep the file's rate).
    public var resampleTo: Int?
    /// Refuse files whose rate differs from this (after no resampling). nil: accept any rate.
    public var requiredRate: Int?

    public init(channel: ChannelSelection = .average, segment: TimeSegment? = nil,
                resampleTo: Int? = nil, requiredRate: Int? = nil) {
        self.channel = channel
        self.segment = segment
        self.resampleTo = resampleTo
        self.requiredRate = requiredRate
    }
}
