import Foundation

/// Locates the fixtures under `Data/` of this package, independent of the working directory.
public enum TestData {
    /// The package root (the folder holding `Package.swift`).
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url
            }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// `Data/<relative>`.
    public static func url(_ relative: String) -> URL {
        packageRoot.appendingPathComponent("Data").appendingPathComponent(relative)
    }

    /// `Data/reference/<relative>`: the golden files copied from the reference tools.
    public static func reference(_ relative: String) -> URL {
        url("reference/" + relative)
    }

    /// A fresh empty temporary directory, removed by the caller (or left for the OS).
    public static func temporaryDirectory(_ prefix: String = "mtla-test") throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The release or debug `mtla` binary next to the test bundle (for tests that run the real command).
    public static var mtlaBinary: URL {
        let bundle = Bundle.main.bundleURL
        for dir in [bundle, bundle.deletingLastPathComponent()] {
            let candidate = dir.appendingPathComponent("mtla")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return packageRoot.appendingPathComponent(".build/release/mtla")
    }
}
