/// sacreBLEU's `TokenizerRegexp`, the common post-processing of the `13a` and `zh` tokenizers,
/// reproduced on UTF-8 bytes. Its four regular expressions each match two ASCII-classed characters
/// (or one), so a left-to-right byte scan that consumes a match and goes on after it gives exactly
/// Python's `re.sub` result: a multi-byte character never matches an ASCII class, and `[^0-9]`
/// matching one of its bytes leaves the other bytes untouched.
///
/// 1. `([\{-\~\[-\` -\&\(-\+\:-\@\/])` → ` \1 `
/// 2. `([^0-9])([\.,])` → `\1 \2 `
/// 3. `([\.,])([^0-9])` → ` \1 \2`
/// 4. `([0-9])(-)` → `\1 \2 `
/// Then `' '.join(line.split())`, which the caller does by splitting on Python whitespace.
struct RegexpPasses {
    private var a: [UInt8] = []
    private var b: [UInt8] = []

    /// Byte class of pass 1.
    static let pass1: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        for c in 0x7B...0x7E { t[c] = true }   // { | } ~
        for c in 0x5B...0x60 { t[c] = true }   // [ \ ] ^ _ `
        for c in 0x20...0x26 { t[c] = true }   // space ! " # $ % &
        for c in 0x28...0x2B { t[c] = true }   // ( ) * +
        for c in 0x3A...0x40 { t[c] = true }   // : ; < = > ? @
        t[0x2F] = true                          // /
        return t
    }()

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    @inline(__always) static func isDotComma(_ c: UInt8) -> Bool { c == 0x2E || c == 0x2C }

    /// Applies the four passes to `input` and returns the result (valid until the next call).
    mutating func apply(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        apply(input, between: nil)
    }

    /// As ``apply(_:)``, with `between` run on the bytes after pass 1 (TER's `'s` rules).
    mutating func apply(_ input: UnsafeBufferPointer<UInt8>, between: ((inout [UInt8]) -> Void)?) -> [UInt8] {
        // Pass 1 writes at most 3 bytes per byte; the later passes at most 2 per byte.
        let cap1 = 3 * input.count + 1
        if a.count < cap1 { a = [UInt8](repeating: 0, count: cap1) }
        var n = a.withUnsafeMutableBufferPointer { out -> Int in
            var o = 0
            Self.pass1.withUnsafeBufferPointer { t in
                for c in input {
                    if t[Int(c)] { out[o] = 0x20; out[o + 1] = c; out[o + 2] = 0x20; o += 3 } else { out[o] = c; o += 1 }
                }
            }
            return o
        }
        if let between {
            var tmp = Array(a[0..<n])
            between(&tmp)
            n = tmp.count
            if a.count < n { a = [UInt8](repeating: 0, count: n) }
            for k in 0..<n { a[k] = tmp[k] }
        }
        let cap = 8 * n + 1
        if b.count < cap { b = [UInt8](repeating: 0, count: cap) }
        if a.count < cap { a += [UInt8](repeating: 0, count: cap - a.count) }
        let final = a.withUnsafeMutableBufferPointer { A -> Int in
            b.withUnsafeMutableBufferPointer { B -> Int in
                // Pass 2: ([^0-9])([.,]) -> "\1 \2 "   (A -> B)
                var i = 0, o = 0
                while i < n {
                    let c = A[i]
                    if i + 1 < n && !Self.isDigit(c) && Self.isDotComma(A[i + 1]) {
                        B[o] = c; B[o + 1] = 0x20; B[o + 2] = A[i + 1]; B[o + 3] = 0x20; o += 4; i += 2
                    } else { B[o] = c; o += 1; i += 1 }
                }
                // Pass 3: ([.,])([^0-9]) -> " \1 \2"   (B -> A)
                var m = o
                i = 0; o = 0
                while i < m {
                    let c = B[i]
                    if i + 1 < m && Self.isDotComma(c) && !Self.isDigit(B[i + 1]) {
                        A[o] = 0x20; A[o + 1] = c; A[o + 2] = 0x20; A[o + 3] = B[i + 1]; o += 4; i += 2
                    } else { A[o] = c; o += 1; i += 1 }
                }
                // Pass 4: ([0-9])(-) -> "\1 \2 "   (A -> B)
                m = o
                i = 0; o = 0
                while i < m {
                    let c = A[i]
                    if i + 1 < m && Self.isDigit(c) && A[i + 1] == 0x2D {
                        B[o] = c; B[o + 1] = 0x20; B[o + 2] = 0x2D; B[o + 3] = 0x20; o += 4; i += 2
                    } else { B[o] = c; o += 1; i += 1 }
                }
                return o
            }
        }
        return Array(b[0..<final])
    }
}
