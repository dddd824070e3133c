import AudioIO
import Fbank
import FeatureStore
import Foundation

/// A fairseq speech-to-text manifest (`id audio n_frames tgt_text …`, formats.md §3.3) as a dataset.
///
/// The `audio` column may be
/// - `<zip>:<offset>:<length>`: a stored zip entry holding a `.npy` (T, F) float32 (read from the
///   memory-mapped zip, as fairseq's `read_from_stored_zip`) or an encoded audio file;
/// - a `.npy` path: (T, F) features;
/// - a `.wav`/`.flac`/`.ogg` path, optionally `<audio>:<first frame>:<frames>` for a segment: raw
///   audio, turned into filterbanks on the fly with `AudioFeatureOptions` (and speed-perturbed);
/// - `<ark>:<offset>`: a Kaldi ark entry (fairseq's `load_kaldi`): a matrix, or wave/`AUDIO` audio.
///
/// Relative paths are taken relative to `root` (fairseq's `audio_root`; by default the manifest's
/// folder). Targets are encoded once, when the dataset is opened, so that their lengths are known.
/// `sourceLength` is the `n_frames` column (feature rows for stored features, samples for raw audio in
/// MTLA's AMI/SLURP manifests; with `AudioFeatureOptions.lengthsInFrames` those are converted to
/// filterbank frames), divided by the speed factor of the epoch when perturbed.
public final class FairseqSpeechDataset: SampleDataset, @unchecked Sendable {
    public let manifestPath: String
    public let root: String
    /// The manifest rows, paths as written.
    public let rows: [FairseqManifestRow]
    public let featureOptions: AudioFeatureOptions
    public let labelStatistics: LabelStatistics
    /// 1-based physical line of each row in the manifest.
    public let lines: [Int]
    private let targets: [[Int32]]
    /// Auxiliary targets (e.g. transcripts for CTC), when an auxiliary column was given.
    private let auxiliaries: [[Int32]]?
    private let sources: [Source]
    /// Whether row i holds raw audio (only those are speed-perturbed).
    private let isAudio: [Bool]
    private let reader: FeatureReader

    enum Source {
        case npy(String)
        case zipRange(String, offset: Int, length: Int)
        case audio(String, frames: Range<Int>?)
        case ark(String, offset: Int)
    }

    /// Opens a manifest.
    /// - Parameters:
    ///   - manifest: the TSV path.
    ///   - root: folder for relative audio paths (nil: the manifest's folder).
    ///   - textEncoding: encodes `tgt_text` (no EOS).
    ///   - featureSource: how raw audio becomes features.
    /// - Throws: `CorpusError.badLine` (a malformed TSV line, with its number), `.duplicateID`,
    ///   `.sample` (a target that cannot be encoded, or unreadable audio headers), `.cannotRead`.
    ///   - auxiliaryText: a TSV column (e.g. `src_text`) encoded into each sample's `auxiliaryTarget`.
    public init(manifest: String, root: String? = nil, textEncoding: any TextEncoding,
                featureSource: AudioFeatureOptions = AudioFeatureOptions(),
                auxiliaryText: (column: String, encoding: any TextEncoding)? = nil) throws {
        manifestPath = manifest
        let base = root ?? (manifest as NSString).deletingLastPathComponent
        self.root = base
        featureOptions = featureSource
        try featureSource.validate()
        let parsed: FairseqManifest
        let recordLines: [Int]
        do {
            parsed = try FairseqManifest.read(path: manifest)
            recordLines = try Self.recordLines(path: manifest)
        } catch let FeatureStoreError.badTSV(path, line, reason) {
            throw CorpusError.badLine(path: path, line: line, reason: reason)
        } catch let FeatureStoreError.missingColumn(path, column) {
            throw CorpusError.badLine(path: path, line: 1, reason: "header has no column '\(column)' (required: id, audio, n_frames, tgt_text)")
        } catch let e as FeatureStoreError {
            throw CorpusError.cannotRead(path: manifest, reason: e.description)
        }
        rows = parsed.rows
        lines = rows.indices.map { $0 + 1 < recordLines.count ? recordLines[$0 + 1] : $0 + 2 }
        reader = FeatureReader(options: featureSource)
        var seen = Set<String>()
        var stats = LabelStatistics()
        var targets: [[Int32]] = [], auxiliaries: [[Int32]] = []
        var sources: [Source] = []
        targets.reserveCapacity(rows.count)
        for (i, row) in rows.enumerated() {
            guard seen.insert(row.id).inserted else { throw CorpusError.duplicateID(path: manifest, id: row.id) }
            do {
                let e = try textEncoding.encodeCountingUnknowns(row.tgtText)
                stats.add(e)
                targets.append(e.ids)
                if let aux = auxiliaryText {
                    guard let text = row[column: aux.column] else {
                        throw CorpusError.badLine(path: manifest, line: lines[i], reason: "no '\(aux.column)' column value")
                    }
                    auxiliaries.append(try aux.encoding.encode(text))
                }
            } catch let e as CorpusError {
                throw e
            } catch {
                throw CorpusError.wrap(error, id: row.id, location: "\(manifest):\(lines[i])")
            }
            sources.append(Self.classify(row.audio.resolved(against: base)))
        }
        self.targets = targets
        self.auxiliaries = auxiliaryText == nil ? nil : auxiliaries
        self.sources = sources
        labelStatistics = stats
        var isAudio: [Bool] = sources.map { if case .audio = $0 { true } else { false } }
        if featureSource.perturbsSpeed {
            // Zip and ark entries may hold audio too: look at their first bytes once.
            for i in sources.indices where !isAudio[i] {
                isAudio[i] = (try? Self.peekIsAudio(sources[i], reader: reader)) ?? false
            }
        }
        self.isAudio = isAudio
    }

    public var count: Int { rows.count }
    public func id(_ index: Int) -> String { rows[index].id }
    public func referenceText(_ index: Int) -> String? { rows[index].tgtText }
    public func sourceLength(_ index: Int) -> Int { sourceLength(index, epoch: nil) }
    public func sourceLength(_ index: Int, epoch: Int) -> Int { sourceLength(index, epoch: Optional(epoch)) }

    private func sourceLength(_ index: Int, epoch: Int?) -> Int {
        let n = rows[index].nFrames
        let factor = epoch.map { speedFactor(index, epoch: $0) } ?? 1
        guard isAudio[index] else { return AudioFeatureOptions.scaled(n, by: factor) }
        let rate = featureOptions.resampleTo ?? featureOptions.nominalSampleRate
        let samples = AudioFeatureOptions.perturbedSampleCount(n, factor: factor, rate: rate)   // n counts samples for audio rows
        return featureOptions.lengthsInFrames ? reader.frameCount(samples: samples, rate: rate) : samples
    }
    public func targetLength(_ index: Int) -> Int { targets[index].count }
    public var ordering: BatchOrdering { .descendingSource }

    /// The speed factor sample `index` gets in `epoch` (1 for stored features).
    public func speedFactor(_ index: Int, epoch: Int) -> Double {
        isAudio[index] ? featureOptions.speedFactor(index: index, epoch: epoch) : 1
    }

    /// The manifest location of row `index` (`path:line`), as errors name it.
    public func location(_ index: Int) -> String { "\(manifestPath):\(lines[index])" }

    public func sample(_ index: Int) throws -> Sample { try sample(index, epoch: 1) }

    public func sample(_ index: Int, epoch: Int) throws -> Sample {
        let row = rows[index]
        let factor = speedFactor(index, epoch: epoch)
        do {
            let m: FeatureMatrix
            switch sources[index] {
            case let .npy(p):
                m = try Npy.readMatrix(path: p)
            case let .zipRange(z, offset, length):
                let zip = try reader.zip(z)
                m = try zip.withBytes(offset: offset, length: length) { raw in
                    try reader.features(ofEntry: raw, name: "\(z):\(offset):\(length)", id: row.id, factor: factor).0
                }
            case let .audio(p, frames):
                let file = try AudioFile(path: p)
                m = try reader.features(of: reader.waveform(file, frames: frames), factor: factor, id: row.id)
            case let .ark(p, offset):
                m = try reader.arkFeatures(path: p, offset: offset, key: row.id, factor: factor)
            }
            return Sample(id: row.id, source: .features(m), target: targets[index], auxiliaryTarget: auxiliaries?[index])
        } catch {
            throw CorpusError.wrap(error, id: row.id, location: location(index))
        }
    }

    // MARK: helpers

    static let audioExtensions: Set<String> = [".wav", ".flac", ".ogg"]

    static func ext(_ p: String) -> String {
        guard let dot = p.lastIndex(of: "."), !p[dot...].contains("/") else { return "" }
        return String(p[dot...]).lowercased()
    }

    static func classify(_ location: StorageLocation) -> Source {
        switch location {
        case let .file(p):
            if ext(p) == ".npy" { return .npy(p) }
            if audioExtensions.contains(ext(p)) { return .audio(p, frames: nil) }
            if let colon = p.lastIndex(of: ":"), let off = Int(p[p.index(after: colon)...]), off >= 0 {
                return .ark(String(p[..<colon]), offset: off)
            }
            return .npy(p)  // an unknown extension: read as npy, which names the file in its error
        case let .zipEntry(p, offset, length):
            if audioExtensions.contains(ext(p)) { return .audio(p, frames: offset..<offset + length) }
            return .zipRange(p, offset: offset, length: length)
        }
    }

    static func peekIsAudio(_ s: Source, reader: FeatureReader) throws -> Bool {
        func magic(_ raw: UnsafeRawBufferPointer) -> Bool {
            raw.count >= 4 && (raw.starts(with: [0x52, 0x49, 0x46, 0x46]) || raw.starts(with: [0x66, 0x4C, 0x61, 0x43])
                || raw.starts(with: [0x4F, 0x67, 0x67, 0x53]) || raw.starts(with: [0x41, 0x55, 0x44, 0x49, 0x4F]))
        }
        switch s {
        case .npy: return false
        case .audio: return true
        case let .zipRange(z, offset, length):
            return try reader.zip(z).withBytes(offset: offset, length: min(length, 8)) { magic($0) }
        case let .ark(p, offset):
            let m = try reader.mapped(p)
            guard offset < m.size else { return false }
            return magic(UnsafeRawBufferPointer(rebasing: m.bytes[offset..<min(m.size, offset + 8)]))
        }
    }

    /// The 1-based line on which each non-empty record of a fairseq TSV starts (header first), with
    /// the same escaping rules as `FairseqManifest` (a backslash makes the next byte literal).
    static func recordLines(path: String) throws -> [Int] {
        let file = try MappedFile(path: path)
        let b = file.bytes
        var out: [Int] = []
        var line = 1, i = 0, inRecord = false
        while i < b.count {
            let c = b[i]
            if c == 0x0A {
                inRecord = false
                line += 1
            } else if c != 0x0D || inRecord {
                if !inRecord, !(i == 0 && c == 0xEF) { inRecord = true; out.append(line) }
                if c == 0x5C, i + 1 < b.count {
                    if b[i + 1] == 0x0A { line += 1 }
                    i += 1
                }
            }
            i += 1
        }
        return out
    }
}
