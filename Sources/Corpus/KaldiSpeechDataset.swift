import AudioIO
import Fbank
import FeatureStore
import Foundation

/// A Kaldi (or ESPnet) data directory as a dataset (formats.md §3.1).
///
/// Sources, in order of preference:
/// - `feats.scp`: (T, F) matrices from the arks (FM, DM, CM*, text), with `[r1:r2]` ranges; lengths
///   from `utt2num_frames` when present, otherwise from each matrix's header;
/// - `wav.scp` (+ `segments`): audio (files, ark entries such as ESPnet's `flac.ark`, and — with
///   `allowPipes` — pipelines), turned into filterbanks on the fly; lengths from `utt2num_frames`,
///   else `utt2num_samples` (at `nominalSampleRate`), else the segment times or the audio headers,
///   converted to frames with the fbank frame geometry.
///
/// Utterances are those of `feats.scp` (or `segments`, or `wav.scp`) in file order; each must have a
/// line in `text`. `sourceLength` is in feature frames.
public final class KaldiSpeechDataset: SampleDataset, @unchecked Sendable {
    public let directory: String
    public let featureOptions: AudioFeatureOptions
    public let labelStatistics: LabelStatistics
    /// Utterance ids in dataset order.
    public let ids: [String]
    private let lengths: [Int]
    /// Samples and their rate where the length came from audio (speed perturbation recomputes frames from them).
    private let sampleCounts: [(count: Int, rate: Int)?]
    private let targets: [[Int32]]
    /// The `text` transcripts in `ids` order (references for scoring).
    private let targetTexts: [String]
    private let sources: [Source]
    private let reader: FeatureReader
    private let dataDir: ESPnetDataDir
    private let scp: KaldiScpReader?

    enum Source {
        case feats(KaldiScpEntry)
        case wav(ESPnetWavEntry, segment: TimeSegment?, table: String, line: Int)
    }

    /// Opens `directory`.
    /// - Parameters:
    ///   - textEncoding: encodes the `text` transcripts (no EOS).
    ///   - featureSource: on-the-fly fbank settings for `wav.scp` directories.
    ///   - baseDirectory: folder for relative ark/audio paths (nil: as written, i.e. relative to the
    ///     working directory, as Kaldi recipes run).
    /// - Throws: `CorpusError.missingText` (an utterance without a transcript, naming `text`),
    ///   `.badLine` (malformed scp/segments lines, a segment whose recording is missing),
    ///   `.duplicateID`, `.sample` (headers that cannot be read), `.cannotRead`.
    public init(directory: String, textEncoding: any TextEncoding,
                featureSource: AudioFeatureOptions = AudioFeatureOptions(), baseDirectory: String? = nil) throws {
        self.directory = directory
        featureOptions = featureSource
        try featureSource.validate()
        let reader = FeatureReader(options: featureSource)
        self.reader = reader
        let dir: ESPnetDataDir
        do { dir = try ESPnetDataDir(directory: directory) } catch let e as FeatureStoreError {
            throw CorpusError.cannotRead(path: directory, reason: e.description)
        }
        dataDir = dir
        let (ids, sources, scpReader) = try Self.utterances(dir, baseDirectory: baseDirectory)
        let framesTable: [String: Int], samplesTable: [String: Int]
        do {
            framesTable = try dir.integers("utt2num_frames")
            samplesTable = try dir.integers("utt2num_samples")
        } catch { throw Self.lineError(error, directory: directory) }
        // Targets.
        let text = dir.text
        let textPath = dir.path("text")
        var stats = LabelStatistics()
        var targets: [[Int32]] = [], texts: [String] = []
        targets.reserveCapacity(ids.count)
        for id in ids {
            guard let t = text[id] else { throw CorpusError.missingText(path: textPath, utterance: id) }
            texts.append(t)
            do {
                let e = try textEncoding.encodeCountingUnknowns(t)
                stats.add(e)
                targets.append(e.ids)
            } catch {
                throw CorpusError.wrap(error, id: id, location: textPath)
            }
        }
        // Lengths: utt2num_frames, else from headers, utt2num_samples, segment times or the audio.
        var lengths: [Int] = [], counts: [(count: Int, rate: Int)?] = []
        lengths.reserveCapacity(ids.count)
        for (id, source) in zip(ids, sources) {
            if let n = framesTable[id] { lengths.append(n); counts.append(nil); continue }
            do {
                let samples = try Self.samples(of: source, samples: samplesTable[id], scp: scpReader, dir: dir,
                                               reader: reader, baseDirectory: baseDirectory)
                counts.append(samples)
                lengths.append(try samples.map { reader.frameCount(samples: $0.count, rate: $0.rate) }
                               ?? Self.headerRows(source, scp: scpReader))
            } catch {
                throw CorpusError.wrap(error, id: id, location: Self.location(source, dir: dir))
            }
        }
        self.ids = ids
        self.sources = sources
        self.targets = targets
        targetTexts = texts
        self.lengths = lengths
        sampleCounts = counts
        self.baseDirectory = baseDirectory
        scp = scpReader
        labelStatistics = stats
    }

    private let baseDirectory: String?

    public var count: Int { ids.count }
    public func id(_ index: Int) -> String { ids[index] }
    public func sourceLength(_ index: Int) -> Int { lengths[index] }
    public func sourceLength(_ index: Int, epoch: Int) -> Int {
        let factor = speedFactor(index, epoch: epoch)
        guard factor != 1 else { return lengths[index] }
        guard let (n, rate) = sampleCounts[index] else { return AudioFeatureOptions.scaled(lengths[index], by: factor) }
        return reader.frameCount(samples: AudioFeatureOptions.perturbedSampleCount(n, factor: factor, rate: rate), rate: rate)
    }
    public func targetLength(_ index: Int) -> Int { targets[index].count }
    public func referenceText(_ index: Int) -> String? { targetTexts[index] }
    public var ordering: BatchOrdering { .descendingSource }

    /// The speed factor of sample `index` in `epoch` (1 for `feats.scp` directories).
    public func speedFactor(_ index: Int, epoch: Int) -> Double {
        if case .wav = sources[index] { return featureOptions.speedFactor(index: index, epoch: epoch) }
        return 1
    }

    /// Where utterance `index` is declared (`feats.scp:3`, `wav.scp:2`, `segments:5`).
    public func location(_ index: Int) -> String { Self.location(sources[index], dir: dataDir) }

    public func sample(_ index: Int) throws -> Sample { try sample(index, epoch: 1) }

    public func sample(_ index: Int, epoch: Int) throws -> Sample {
        let id = ids[index]
        do {
            let m: FeatureMatrix
            switch sources[index] {
            case let .feats(e):
                let object = try scp!.read(e)
                guard let fm = object.featureMatrix else {
                    throw CorpusError.invalidOption(name: e.path, reason: "a \(object.typeToken) entry is not a feature matrix")
                }
                m = fm
            case let .wav(e, segment, _, _):
                let factor = speedFactor(index, epoch: epoch)
                let file = try Self.openAudio(e, dir: dataDir, options: featureOptions, baseDirectory: baseDirectory)
                m = try reader.features(of: reader.waveform(file, segment: segment), factor: factor, id: id)
            }
            return Sample(id: id, source: .features(m), target: targets[index])
        } catch {
            throw CorpusError.wrap(error, id: id, location: location(index))
        }
    }

    static func lineError(_ e: any Error, directory: String) -> CorpusError {
        if case let FeatureStoreError.badScpLine(path, line, text, reason)? = e as? FeatureStoreError {
            return .badLine(path: path, line: line, reason: "\(reason): '\(text)'")
        }
        return e as? CorpusError ?? .cannotRead(path: directory, reason: String(describing: e))
    }

    /// The utterances of a data dir in file order: `feats.scp` entries, else `segments` lines (each with
    /// its `wav.scp` recording), else `wav.scp` entries.
    static func utterances(_ dir: ESPnetDataDir, baseDirectory: String?) throws
        -> (ids: [String], sources: [Source], scp: KaldiScpReader?)
    {
        var sources: [Source] = []
        var ids: [String] = []
        var scp: KaldiScpReader?
        do {
            let feats = try dir.featsScp()
            if !feats.isEmpty {
                scp = try KaldiScpReader(entries: feats, baseDirectory: baseDirectory)
                for e in feats { ids.append(e.key); sources.append(.feats(e)) }
            } else {
                let wav = try dir.wavEntries()
                let segments = try dir.segments()
                if segments.isEmpty {
                    for e in wav { ids.append(e.key); sources.append(.wav(e, segment: nil, table: dir.path("wav.scp"), line: e.line)) }
                } else {
                    let byRec = Dictionary(wav.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
                    for s in segments {
                        guard let rec = byRec[s.recording] else {
                            throw CorpusError.badLine(path: dir.path("segments"), line: s.line,
                                                      reason: "recording '\(s.recording)' of utterance '\(s.utterance)' is not in wav.scp")
                        }
                        ids.append(s.utterance)
                        sources.append(.wav(rec, segment: TimeSegment(start: s.start, end: s.end < 0 ? nil : s.end),
                                            table: dir.path("segments"), line: s.line))
                    }
                }
            }
        } catch { throw lineError(error, directory: dir.directory) }
        guard !ids.isEmpty else {
            throw CorpusError.cannotRead(path: dir.directory, reason: "no utterances (expected feats.scp or wav.scp)")
        }
        var seen = Set<String>()
        for id in ids where !seen.insert(id).inserted {
            throw CorpusError.duplicateID(path: dir.path(scp != nil ? "feats.scp" : "wav.scp"), id: id)
        }
        return (ids, sources, scp)
    }

    /// Frames of an utterance without `utt2num_frames`: the matrix header, `utt2num_samples`
    /// (`samples`, at the nominal rate), the segment's duration, or the audio file's header.
    /// The sample count and rate an audio source's features are computed from (nil for `feats.scp`).
    static func samples(of source: Source, samples: Int?, scp: KaldiScpReader?, dir: ESPnetDataDir, reader: FeatureReader,
                        baseDirectory: String?) throws -> (count: Int, rate: Int)? {
        let options = reader.options
        switch source {
        case .feats:
            return nil
        case let .wav(e, segment, _, _):
            if let n = samples { return (n, options.nominalSampleRate) }
            let rate = options.resampleTo ?? options.nominalSampleRate
            if let seg = segment, let end = seg.end {
                return (Int(((end - seg.start) * Double(rate)).rounded()), rate)
            }
            let info = try openAudio(e, dir: dir, options: options, baseDirectory: baseDirectory).info
            let r = options.resampleTo ?? info.sampleRate
            var n = info.frames
            if let seg = segment { n -= Int((seg.start * Double(info.sampleRate)).rounded()) }
            if r != info.sampleRate { n = Int((Double(n) * Double(r) / Double(info.sampleRate)).rounded()) }
            return (max(n, 0), r)
        }
    }

    /// Rows of a `feats.scp` entry from its matrix header.
    static func headerRows(_ source: Source, scp: KaldiScpReader?) throws -> Int {
        guard case let .feats(e) = source else { return 0 }
        return try headerRows(e, scp: scp!)
    }

    static func location(_ s: Source, dir: ESPnetDataDir) -> String {
        switch s {
        case let .feats(e): "\(dir.path("feats.scp")):\(e.line)"
        case let .wav(_, _, table, line): "\(table):\(line)"
        }
    }

    static func openAudio(_ e: ESPnetWavEntry, dir: ESPnetDataDir, options: AudioFeatureOptions, baseDirectory: String?) throws -> AudioFile {
        switch e.source {
        case let .file(p):
            return try AudioFile(path: ESPnetDataDir.resolve(p, baseDirectory: baseDirectory))
        case let .pipe(command):
            return try AudioFile(bytes: dir.audioBytes(e, allowPipes: options.allowPipes, baseDirectory: baseDirectory), name: command + " |")
        case let .ark(p, offset):
            return try AudioFile(bytes: dir.audioBytes(e, allowPipes: options.allowPipes, baseDirectory: baseDirectory), name: "\(p):\(offset)")
        }
    }

    /// The row count of an scp entry read from the object's header (binary FM/DM/CM*), or by decoding
    /// it (text matrices), after its row range.
    static func headerRows(_ e: KaldiScpEntry, scp: KaldiScpReader) throws -> Int {
        if let r = e.rowRange { return r.count }
        let file = try scp.file(for: e)
        let b = file.bytes
        let p = e.offset ?? 0
        if p + 16 <= b.count, b[p] == 0, b[p + 1] == 0x42 {
            let t = p + 2
            func i32(_ at: Int) -> Int { Int(Int32(littleEndian: b.loadUnaligned(fromByteOffset: at, as: Int32.self))) }
            if (b[t] == 0x46 || b[t] == 0x44) && b[t + 1] == 0x4D && b[t + 2] == 0x20 && b[t + 3] == 4 {
                return i32(t + 4)  // FM/DM: "FM " 04 <rows> 04 <cols>
            }
            if b[t] == 0x43, b[t + 1] == 0x4D {
                let q = t + (b[t + 2] == 0x20 ? 3 : 4)  // "CM " or "CM2 "/"CM3 "
                if q + 16 <= b.count { return i32(q + 8) }  // min, range, rows, cols
            }
        }
        return try scp.read(e).shape.first ?? 0
    }
}
