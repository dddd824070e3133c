import CSndFile

/// The bytes of an in-memory audio file, served to libsndfile through its virtual I/O interface.
final class MemoryAudioSource {
    let bytes: [UInt8]
    var position = 0
    init(bytes: [UInt8]) { self.bytes = bytes }

    /// Callbacks that find the source through `user_data`.
    static var virtualIO: SF_VIRTUAL_IO {
        SF_VIRTUAL_IO(
            get_filelen: { user in
                sf_count_t(Unmanaged<MemoryAudioSource>.fromOpaque(user!).takeUnretainedValue().bytes.count)
            },
            seek: { offset, whence, user in
                let src = Unmanaged<MemoryAudioSource>.fromOpaque(user!).takeUnretainedValue()
                let base: Int
                switch whence {
                case SEEK_CUR: base = src.position
                case SEEK_END: base = src.bytes.count
                default: base = 0
                }
                src.position = max(0, min(src.bytes.count, base + Int(offset)))
                return sf_count_t(src.position)
            },
            read: { ptr, count, user in
                let src = Unmanaged<MemoryAudioSource>.fromOpaque(user!).takeUnretainedValue()
                let n = max(0, min(Int(count), src.bytes.count - src.position))
                if n > 0 {
                    src.bytes.withUnsafeBytes { raw in
                        ptr!.copyMemory(from: raw.baseAddress!.advanced(by: src.position), byteCount: n)
                    }
                }
                src.position += n
                return sf_count_t(n)
            },
            write: { _, _, _ in 0 },
            tell: { user in
                sf_count_t(Unmanaged<MemoryAudioSource>.fromOpaque(user!).takeUnretainedValue().position)
            })
    }
}
