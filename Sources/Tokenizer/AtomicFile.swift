import Foundation

/// Writes files under a temporary name in the destination folder and renames them into place, so
/// that a reader never sees a partial file and an existing file is replaced only when asked.
enum AtomicFile {
    static func write(_ data: Data, to url: URL, overwrite: Bool) throws {
        let fm = FileManager.default
        let path = url.path
        if !overwrite && fm.fileExists(atPath: path) { throw TokenizerError.outputExists(file: path) }
        let dir = url.deletingLastPathComponent()
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UUID().uuidString.prefix(8))")
        do {
            try data.write(to: tmp)
        } catch {
            throw TokenizerError.cannotWrite(file: path, reason: Self.reason(error))
        }
        if !overwrite {
            // link(2) fails if the name exists, so a file created meanwhile is never clobbered.
            if link(tmp.path, path) != 0 {
                let err = errno
                try? fm.removeItem(at: tmp)
                if err == EEXIST { throw TokenizerError.outputExists(file: path) }
                throw TokenizerError.cannotWrite(file: path, reason: String(cString: strerror(err)))
            }
            try? fm.removeItem(at: tmp)
            return
        }
        if rename(tmp.path, path) != 0 {
            let err = errno
            try? fm.removeItem(at: tmp)
            throw TokenizerError.cannotWrite(file: path, reason: String(cString: strerror(err)))
        }
    }

    static func read(_ url: URL) throws -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw TokenizerError.cannotRead(file: url.path, reason: reason(error))
        }
    }

    /// The UTF-8 text of a file; invalid UTF-8 is an error naming the file.
    static func readText(_ url: URL) throws -> String {
        let data = try read(url)
        guard let s = String(data: data, encoding: .utf8) else {
            throw TokenizerError.cannotRead(file: url.path, reason: "not valid UTF-8")
        }
        return s
    }

    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSCocoaErrorDomain {
            switch ns.code {
            case NSFileReadNoSuchFileError, NSFileNoSuchFileError: return "no such file"
            case NSFileReadNoPermissionError, NSFileWriteNoPermissionError: return "permission denied"
            default: break
            }
        }
        return ns.localizedDescription
    }
}
