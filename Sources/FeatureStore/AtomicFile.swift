import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes whole files under a temporary name in the same directory, then renames them into place,
/// so that a reader never sees a partial file under the final name.
public enum AtomicFile {
    /// The temporary name used for `path` while it is being written.
    public static func temporaryPath(for path: String) -> String { path + ".partial" }

    /// Writes `bytes` to `path` atomically (an existing file is replaced; callers check for clobbering).
    /// - Throws: `FeatureStoreError.cannotWrite`.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let tmp = temporaryPath(for: path)
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw FeatureStoreError.cannotWrite(path: path, reason: "cannot create \(tmp): \(String(cString: strerror(errno)))")
        }
        var done = 0
        let ok = bytes.withUnsafeBytes { raw -> Bool in
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 { if errno == EINTR { continue }; return false }
                done += n
            }
            return true
        }
        let reason = ok ? "" : String(cString: strerror(errno))
        close(fd)
        guard ok else {
            unlink(tmp)
            throw FeatureStoreError.cannotWrite(path: path, reason: "writing \(tmp): \(reason)")
        }
        try commit(tmp, to: path)
    }

    /// Renames a finished temporary file into place (replacing any existing file).
    public static func commit(_ tmp: String, to path: String) throws {
        if rename(tmp, path) != 0 {
            let reason = String(cString: strerror(errno))
            throw FeatureStoreError.cannotWrite(path: path, reason: "rename from \(tmp) failed: \(reason)")
        }
    }
}
