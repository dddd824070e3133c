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
        a.removeAll(keepingCapacity: true)
        // Pass 1
        let t = Self.pass1
        for c in input {
            if t[Int(c)] { a.append(0x20); a.append(c); a.append(0x20) } else { a.append(c) }
        }
        if let between { between(&a) }
        // Pass 2: ([^0-9])([.,]) -> "\1 \2 "
        b.removeAll(keepingCapacity: true)
        var i = 0
        var n = a.count
        while i < n {
            let c = a[i]
            if i + 1 < n && !Self.isDigit(c) && Self.isDotComma(a[i + 1]) {
                b.append(c); b.append(0x20); b.append(a[i + 1]); b.append(0x20); i += 2
            } else { b.append(c); i += 1 }
        }
        // Pass 3: ([.,])([^0-9]) -> " \1 \2"
        a.removeAll(keepingCapacity: true)
        i = 0; n = b.count
        while i < n {
            let c = b[i]
            if i + 1 < n && Self.isDotComma(c) && !Self.isDigit(b[i + 1]) {
                a.append(0x20); a.append(c); a.append(0x20); a.append(b[i + 1]); i += 2
            } else { a.append(c); i += 1 }
        }
        // Pass 4: ([0-9])(-) -> "\1 \2 "
        b.removeAll(keepingCapacity: true)
        i = 0; n = a.count
        while i < n {
            let c = a[i]
            if i + 1 < n && Self.isDigit(c) && a[i + 1] == 0x2D {
                b.append(c); b.append(0x20); b.append(0x2D); b.append(0x20); i += 2
            } else { b.append(c); i += 1 }
        }
        return b
    }
}
