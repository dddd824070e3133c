#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory mapping of a whole file (the way fairseq reads zip entries: `mmap` + slice).
///
/// The mapping is private and read-only, so sharing it between threads is safe; it is unmapped when
/// the last reference goes away. An empty file has an empty buffer and no mapping.
final class ZipMappedFile: @unchecked Sendable {
    let path: String
    let size: Int
    private let base: UnsafeMutableRawPointer?

    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FeatureStoreError.cannotRead(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FeatureStoreError.cannotRead(path: path, reason: String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw FeatureStoreError.cannotRead(path: path, reason: "not a regular file") }
        size = Int(st.st_size)
        if size == 0 {
            base = nil
            return
        }
        let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let p, p != MAP_FAILED else {
            throw FeatureStoreError.cannotRead(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        base = p
    }

    deinit {
        if let base { munmap(base, size) }
    }

    /// The whole file. Valid while `self` is alive.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base.map { UnsafeRawPointer($0) }, count: size) }
}
