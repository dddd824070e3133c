/// One utterance of a fairseq speech-to-text manifest (`speech_to_text_dataset.py` KEY_* columns).
public struct FairseqManifestRow: Sendable, Equatable {
    /// `id`: the utterance id.
    public var id: String
    /// `audio`: a file or a `zip:offset:length` range, parsed once.
    public var audio: StorageLocation
    /// `n_frames`: feature rows for `.npy` features, samples for waveforms.
    public var nFrames: Int
    /// `tgt_text`: the target transcript or translation (unescaped).
    public var tgtText: String
    /// `speaker`, `src_text`, `src_lang`, `tgt_lang`: `nil` when the manifest has no such column.
    public var speaker: String?
    public var srcText: String?
    public var srcLang: String?
    public var tgtLang: String?
    /// Any other columns, by name (kept so that rewriting a manifest loses nothing).
    public var extra: [String: String]

    public init(id: String, audio: StorageLocation, nFrames: Int, tgtText: String, speaker: String? = nil,
                srcText: String? = nil, srcLang: String? = nil, tgtLang: String? = nil, extra: [String: String] = [:]) {
        self.id = id
        self.audio = audio
        self.nFrames = nFrames
        self.tgtText = tgtText
        self.speaker = speaker
        self.srcText = srcText
        self.srcLang = srcLang
        self.tgtLang = tgtLang
        self.extra = extra
    }

    /// The text of column `name` as it is written to the TSV (before escaping); `nil` for an absent
    /// optional or extra column (written as an empty field, as pandas writes a missing value).
    public subscript(column name: String) -> String? {
        switch name {
        case "id": id
        case "audio": audio.description
        case "n_frames": String(nFrames)
        case "tgt_text": tgtText
        case "speaker": speaker
        case "src_text": srcText
        case "src_lang": srcLang
        case "tgt_lang": tgtLang
        default: extra[name]
        }
    }
}

/// A fairseq speech-to-text TSV manifest: a header row and one row per utterance.
///
/// The text format is that of fairseq's `save_df_to_tsv` / `load_df_from_tsv` (pandas with
/// `sep="\t"`, `quoting=csv.QUOTE_NONE`, `escapechar="\\"`, `\n` line ends): no quoting at all, and a
/// backslash before every tab, newline, carriage return, `"` and backslash inside a field. Writing
/// the golden rows reproduces the golden `train.tsv` byte for byte; reading removes the backslashes
/// (as pandas does; fairseq's training-time `csv.DictReader` would keep them).
///
/// Python 3.11's csv writer does not escape a lone `\r` when the line terminator is `\n`, which
/// makes the file unreadable by pandas; this writer escapes it (the only intended difference).
public struct FairseqManifest: Sendable, Equatable {
    /// Columns every manifest must have.
    public static let requiredColumns = ["id", "audio", "n_frames", "tgt_text"]
    /// Columns fairseq knows besides the required ones.
    public static let optionalColumns = ["speaker", "src_text", "src_lang", "tgt_lang"]
    /// The columns MuST-C prep writes (`id audio n_frames tgt_text speaker`).
    public static let defaultColumns = ["id", "audio", "n_frames", "tgt_text", "speaker"]

    /// Column names in file order (required ones, optional ones, extra ones, in any order).
    public var columns: [String]
    public var rows: [FairseqManifestRow]

    public init(columns: [String] = FairseqManifest.defaultColumns, rows: [FairseqManifestRow] = []) {
        self.columns = columns
        self.rows = rows
    }

    /// The TSV text: header, then one line per row, each ending in `\n`.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 * (rows.count + 1))
        func line(_ fields: [String?]) {
            for (i, f) in fields.enumerated() {
                if i > 0 { out.append(0x09) }
                if let f { FairseqTSV.appendEscaped(f, to: &out) }
            }
            out.append(0x0A)
        }
        line(columns)
        for r in rows { line(columns.map { r[column: $0] }) }
        return out
    }

    /// Writes the manifest to `path` through `<path>.tmp` and a rename (never a partial file under `path`).
    /// - Throws: `FeatureStoreError.cannotWrite`.
    public func write(to path: String) throws {
        try FairseqTSV.writeAtomically(encoded(), to: path)
    }

    /// Reads and checks a manifest.
    /// - Parameter strictQuoting: reject an unescaped `"` (a sign that the file was written with csv
    ///   quoting, which fairseq's readers do not undo); pandas and fairseq would keep it literally.
    /// - Throws: `FeatureStoreError.cannotRead`, `.missingColumn`, `.badTSV` (with the line).
    public static func read(path: String, strictQuoting: Bool = true) throws -> FairseqManifest {
        let file = try MappedFile(path: path)
        return try parse(file.bytes, path: path, strictQuoting: strictQuoting)
    }

    /// Parses manifest text; `path` names it in errors.
    public static func parse(_ bytes: UnsafeRawBufferPointer, path: String, strictQuoting: Bool = true) throws -> FairseqManifest {
        var records = try FairseqTSV.records(bytes, path: path, strictQuoting: strictQuoting).makeIterator()
        guard let header = records.next() else {
            throw FeatureStoreError.badTSV(path: path, line: 1, reason: "empty file (expected a header row: id, audio, n_frames, tgt_text, ...)")
        }
        var position: [String: Int] = [:]
        for (i, c) in header.fields.enumerated() {
            guard position.updateValue(i, forKey: c) == nil else {
                throw FeatureStoreError.badTSV(path: path, line: header.line, reason: "duplicate column '\(c)'")
            }
        }
        for c in requiredColumns where position[c] == nil {
            throw FeatureStoreError.missingColumn(path: path, column: c)
        }
        let known = Set(requiredColumns + optionalColumns)
        let extraColumns = header.fields.enumerated().filter { !known.contains($0.element) }
        let idC = position["id"]!, audioC = position["audio"]!, framesC = position["n_frames"]!, textC = position["tgt_text"]!
        let spkC = position["speaker"], srcC = position["src_text"], srcLC = position["src_lang"], tgtLC = position["tgt_lang"]
        var rows: [FairseqManifestRow] = []
        while let rec = records.next() {
            let f = rec.fields
            guard f.count == header.fields.count else {
                throw FeatureStoreError.badTSV(path: path, line: rec.line,
                                               reason: "\(f.count) fields, expected \(header.fields.count) (the header's columns); an unescaped tab?")
            }
            guard let frames = Int(f[framesC]), frames >= 0, f[framesC].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw FeatureStoreError.badTSV(path: path, line: rec.line, reason: "n_frames '\(f[framesC])' is not a non-negative integer")
            }
            let audio: StorageLocation
            do { audio = try StorageLocation(parsing: f[audioC]) } catch let e as FeatureStoreError {
                throw FeatureStoreError.badTSV(path: path, line: rec.line, reason: "audio: \(e.description)")
            }
            var extra: [String: String] = [:]
            for (i, name) in extraColumns { extra[name] = f[i] }
            rows.append(FairseqManifestRow(id: f[idC], audio: audio, nFrames: frames, tgtText: f[textC],
                                           speaker: spkC.map { f[$0] }, srcText: srcC.map { f[$0] },
                                           srcLang: srcLC.map { f[$0] }, tgtLang: tgtLC.map { f[$0] }, extra: extra))
        }
        return FairseqManifest(columns: header.fields, rows: rows)
    }
}
