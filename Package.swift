// swift-tools-version: 6.1
import PackageDescription
import Foundation

// The default release build is baseline x86-64, so it runs on any x86-64 CPU (AVX2 ones included).
// MTLA_TARGET_CPU=haswell|znver4|native builds for a CPU; BENCHMARKS.md records the measured effect
// (for the filterbank, whose time is in FFTW, libm and conversions, baseline was 12% faster).
let targetCPU = ProcessInfo.processInfo.environment["MTLA_TARGET_CPU"]
let cpuFlags: [SwiftSetting] = targetCPU.map { [.unsafeFlags(["-target-cpu", $0])] } ?? []

let package = Package(
    name: "mtla",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mtla", targets: ["mtla"]),
        .library(name: "AudioIO", targets: ["AudioIO"]),
        .library(name: "Fbank", targets: ["Fbank"]),
        .library(name: "FeatureStore", targets: ["FeatureStore"]),
        .library(name: "Scoring", targets: ["Scoring"]),
        .library(name: "TensorCore", targets: ["TensorCore"]),
        .library(name: "Autograd", targets: ["Autograd"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Optim", targets: ["Optim"]),
        .library(name: "Attention", targets: ["Attention"]),
        .library(name: "Transformer", targets: ["Transformer"]),
        .library(name: "Tokenizer", targets: ["Tokenizer"]),
        .library(name: "Corpus", targets: ["Corpus"]),
        .library(name: "Decoding", targets: ["Decoding"]),
        .library(name: "Training", targets: ["Training"]),
        .library(name: "MiniCorpus", targets: ["MiniCorpus"]),
        .library(name: "Distributed", targets: ["Distributed"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // L0: one system-library target per C library.
        .systemLibrary(name: "CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(name: "CSoxr", pkgConfig: "soxr", providers: [.apt(["libsoxr-dev"])]),
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        // The C API over SentencePiece's C++ library (C++17, pure-C header include/CSentencePiece.h).
        .target(name: "CSentencePiece",
                linkerSettings: [.linkedLibrary("sentencepiece"), .linkedLibrary("sentencepiece_train")]),
        .target(name: "SeededRandom", swiftSettings: cpuFlags),
        // The decode attention kernel: C with per-function target attributes (baseline, AVX2, AVX-512) chosen
        // at run time, so the default build stays portable (see Sources/CAttentionKernels/include).
        .target(name: "CAttentionKernels"),
        // L1
        .target(name: "AudioIO", dependencies: ["CSndFile", "CSoxr"], swiftSettings: cpuFlags),
        .target(name: "Scoring", swiftSettings: cpuFlags),
        // Processes of a job and their collectives (single process, or MPI under mpirun/srun)
        .target(name: "Distributed", dependencies: ["CMPI"], swiftSettings: cpuFlags),
        .target(name: "TensorCore", dependencies: ["COpenBLAS", "CAttentionKernels", "SeededRandom"], swiftSettings: cpuFlags),
        // L2
        .target(name: "Fbank", dependencies: ["AudioIO", "CFFTW", "SeededRandom"], swiftSettings: cpuFlags),
        .target(name: "Autograd", dependencies: ["TensorCore"], swiftSettings: cpuFlags),
        .target(name: "Tokenizer", dependencies: ["CSentencePiece"], swiftSettings: cpuFlags),
        // L3
        .target(name: "FeatureStore", dependencies: ["Fbank", "AudioIO"], swiftSettings: cpuFlags),
        .target(name: "NN", dependencies: ["Autograd", "TensorCore", "SeededRandom"], swiftSettings: cpuFlags),
        // L4
        .target(name: "Optim", dependencies: ["NN", "Autograd", "TensorCore"], swiftSettings: cpuFlags),
        .target(name: "Attention", dependencies: ["NN", "Autograd", "TensorCore", "SeededRandom"], swiftSettings: cpuFlags),
        // L5 (and Corpus, the data pipeline: L4 in the architecture document)
        .target(name: "Corpus", dependencies: ["Tokenizer", "FeatureStore", "Fbank", "AudioIO", "TensorCore", "SeededRandom",
                                            .product(name: "Yams", package: "Yams")],
                swiftSettings: cpuFlags),
        .target(name: "Transformer", dependencies: ["Attention", "NN", "Autograd", "TensorCore", "SeededRandom"],
                swiftSettings: cpuFlags),
        // L6
        .target(name: "Decoding", dependencies: ["Corpus", "Transformer", "Autograd", "TensorCore"], swiftSettings: cpuFlags),
        // L7
        .target(name: "Training", dependencies: ["Corpus", "Transformer", "Decoding", "Scoring", "Optim", "Fbank", "FeatureStore", "NN", "Autograd", "TensorCore", "SeededRandom",
                                                 "Distributed", .product(name: "Yams", package: "Yams")],
                swiftSettings: cpuFlags),
        // Mini corpora synthesised with espeak-ng (text grammar, speakers, MuST-C layout)
        .target(name: "MiniCorpus", dependencies: ["AudioIO", "SeededRandom"], swiftSettings: cpuFlags),
        // L8
        .executableTarget(
            name: "mtla",
            dependencies: [
                "AudioIO", "Fbank", "FeatureStore", "Scoring", "SeededRandom", "TensorCore", "NN", "Optim", "Attention", "Transformer",
                "Tokenizer", "Corpus", "Decoding", "Training", "MiniCorpus", "Distributed",
                .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: cpuFlags),
        // Benchmarks (run by Tools/bench, never in CI)
        .executableTarget(name: "mtla-bench", dependencies: ["AudioIO", "Fbank", "FeatureStore", "SeededRandom", "TensorCore", "Autograd", "Attention", "Transformer", "Training", "Optim", "Distributed"], swiftSettings: cpuFlags),
        // Tests only
        .target(name: "_TestSupport", dependencies: ["FeatureStore", "Fbank", "SeededRandom"], path: "Sources/_TestSupport"),
        .testTarget(name: "AudioIOTests", dependencies: ["AudioIO", "_TestSupport"]),
        .testTarget(name: "FbankTests", dependencies: ["Fbank", "AudioIO", "FeatureStore", "SeededRandom", "_TestSupport"]),
        .testTarget(name: "FeatureStoreTests", dependencies: ["FeatureStore", "Fbank", "AudioIO", "_TestSupport"]),
        .testTarget(name: "ScoringTests", dependencies: ["Scoring", "_TestSupport"]),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "SeededRandom", "_TestSupport"]),
        .testTarget(name: "AutogradTests", dependencies: ["Autograd", "TensorCore", "SeededRandom", "_TestSupport"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "Autograd", "TensorCore", "SeededRandom", "_TestSupport"]),
        .testTarget(name: "OptimTests", dependencies: ["Optim", "NN", "Autograd", "TensorCore", "SeededRandom", "_TestSupport"]),
        .testTarget(name: "AttentionTests", dependencies: ["Attention", "NN", "Autograd", "TensorCore", "SeededRandom", "_TestSupport"]),
        .testTarget(name: "DecodingTests", dependencies: ["Decoding", "Transformer", "TensorCore", "SeededRandom", "_TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Transformer", "Optim", "NN", "Autograd", "TensorCore", "SeededRandom", "_TestSupport"]),
        .testTarget(name: "TransformerTests", dependencies: ["Transformer", "Attention", "NN", "Autograd", "TensorCore", "SeededRandom", "_TestSupport"]),
        .testTarget(name: "CorpusTests", dependencies: ["Corpus", "FeatureStore", "Fbank", "AudioIO", "TensorCore", "SeededRandom", "_TestSupport"]),
        .testTarget(name: "TokenizerTests", dependencies: ["Tokenizer", "_TestSupport"]),
        .testTarget(name: "MiniCorpusTests", dependencies: ["MiniCorpus", "AudioIO", "SeededRandom"]),
        .testTarget(name: "CLITests", dependencies: ["FeatureStore", "NN", "TensorCore", "_TestSupport"]),
        .testTarget(name: "DistributedTests", dependencies: ["Distributed", "_TestSupport"]),
    ],
    cxxLanguageStandard: .cxx17
)
