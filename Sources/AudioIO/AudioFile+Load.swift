extension AudioFile {
    /// The frame range a segment covers, checked against the file.
    func frameRange(of segment: TimeSegment?) throws -> Range<Int> {
        guard let segment else { return 0..<info.frames }
        let rate = Double(info.sampleRate)
        let start = Int((segment.start * rate).rounded())
        let end = segment.end.map { Int(($0 * rate).rounded()) } ?? info.frames
        // Kaldi's extract-segments tolerates an end up to a frame past the file; clamp small overshoot.
        let clampedEnd = end > info.frames && end - info.frames <= Int(rate * 0.025) ? info.frames : end
        guard start >= 0, start < clampedEnd, clampedEnd <= info.frames else {
            throw AudioError.badSegment(path: name, start: segment.start, end: segment.end ?? info.duration,
                                        duration: info.duration)
        }
        return start..<clampedEnd
    }

    /// The frame range of `request`, after checking its channel and rate requirements against the file.
    func checkedRange(_ request: AudioRequest) throws -> Range<Int> {
        let range = try frameRange(of: request.segment)
        if case let .index(i) = request.channel, i >= info.channels {
            throw AudioError.noSuchChannel(path: name, channel: i, channels: info.channels)
        }
        if let required = request.requiredRate, request.resampleTo == nil, required != info.sampleRate {
            throw AudioError.sampleRateMismatch(path: name, found: info.sampleRate, expected: required)
        }
        return range
    }

    /// Reads the requested part of the file, mixed to mono and resampled as asked.
    ///
    /// Only the segment is decoded (the file is sought to its first frame).
    /// - Throws: `AudioError` naming this file.
    public func load(_ request: AudioRequest) throws -> Waveform {
        let range = try checkedRange(request)
        try seek(toFrame: range.lowerBound)
        let interleaved = try readFrames(range.count)
        var mono = try request.channel.mix(interleaved, channels: info.channels, name: name)
        var rate = info.sampleRate
        if let target = request.resampleTo, target != rate {
            mono = try Resampler.resample(mono, from: rate, to: target)
            rate = target
        }
        return Waveform(samples: mono, sampleRate: rate)
    }

    /// Streams the requested part in mono blocks of about `blockFrames` input frames, resampled as
    /// asked, so that long recordings never sit whole in memory.
    /// - Parameter body: receives each block (at the output rate) in order.
    /// - Returns: the output sample rate.
    @discardableResult
    public func stream(_ request: AudioRequest, blockFrames: Int = 1 << 16,
                       _ body: ([Float]) throws -> Void) throws -> Int {
        let range = try checkedRange(request)
        let resampler = try request.resampleTo.flatMap { $0 == info.sampleRate ? nil : try Resampler(from: info.sampleRate, to: $0) }
        try seek(toFrame: range.lowerBound)
        var remaining = range.count
        while remaining > 0 {
            let n = min(blockFrames, remaining)
            let block = try request.channel.mix(try readFrames(n), channels: info.channels, name: name)
            remaining -= n
            if let resampler { try body(try resampler.process(block)) } else { try body(block) }
        }
        if let resampler { try body(try resampler.flush()) }
        return resampler?.outputRate ?? info.sampleRate
    }
}
