import ArgumentParser
import AudioIO
import Fbank
import FeatureStore
import Foundation

/// `mtla fbank`: Kaldi-compatible filterbanks for one file, or for a whole corpus into a store.
struct FbankCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fbank",
        abstract: "Compute Kaldi-compatible log-mel filterbank features.",
        discussion: """
            One file:  mtla fbank AUDIO --output X.npy [options]
              writes a format-1.0 <f4 .npy of shape (frames, num-mel-bins [+1 with --use-energy=true]).
            A corpus:  mtla fbank --manifest (wav.scp | data dir | TSV) --out-dir DIR --format (zip | ark)
              writes DIR/fbank80.zip + DIR/<name>.tsv, or DIR/feats.ark + DIR/feats.scp + DIR/utt2num_frames.

            With no options the output equals fairseq's extraction:
            torchaudio.compliance.kaldi.fbank(waveform * 2**15, num_mel_bins=80, dither=0,
            sample_frequency=<the file's rate>). Multi-channel audio is averaged (--channel -1),
            where Kaldi would refuse it.
            """)

    @Argument(help: "An audio file (wav, flac, ogg, …) for single-file mode.")
    var audio: String?

    @Option(name: .shortAndLong, help: "Output .npy (single-file mode).")
    var output: String?

    @Option(help: "Start of the segment to read, seconds (single-file mode).")
    var start: Double?
    @Option(help: "End of the segment to read, seconds (single-file mode).")
    var end: Double?

    @Flag(help: "Replace existing outputs.")
    var overwrite = false

    @OptionGroup(title: "Corpus mode") var corpus: CorpusOptionGroup
    @OptionGroup(title: "Audio") var audioOptions: AudioOptionGroup
    @OptionGroup(title: "Filterbank (Kaldi names and defaults)") var fbank: FbankOptionGroup

    func validate() throws {
        if corpus.manifest == nil {
            guard audio != nil else { throw ValidationError("give an AUDIO file, or --manifest for a corpus") }
            guard output != nil else { throw ValidationError("single-file mode needs --output X.npy") }
        } else if audio != nil {
            throw ValidationError("give either an AUDIO file or --manifest, not both")
        }
    }

    func run() throws {
        if corpus.manifest != nil {
            try CorpusExtraction(command: self).run()
            return
        }
        try runSingleFile(audio!, output: output!)
    }

    private func runSingleFile(_ path: String, output: String) throws {
        if FileManager.default.fileExists(atPath: output) && !overwrite {
            throw CLIError.outputExists(path: output)
        }
        let file = try AudioFile(path: path)
        let segment = (start != nil || end != nil) ? TimeSegment(start: start ?? 0, end: end) : nil
        let extractor = FbankExtractor(options: fbank.options, strict: audioOptions.strict)
        let result = try extractor.extract(file: file, request: audioOptions.request(segment: segment),
                                           seed: fbank.seed, key: path)
        if result.features.rows == 0 {
            Console.warn("\(path): \(result.samples) samples is shorter than one frame: writing a (0, \(result.features.cols)) array")
        }
        try AtomicFile.write(Npy.encode(result.features), to: output)
        Console.info("\(path): \(result.features.rows) x \(result.features.cols) -> \(output)")
    }
}
