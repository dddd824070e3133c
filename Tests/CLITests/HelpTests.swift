import Testing
import Foundation
import _TestSupport

/// Runs the real `mtla` binary.
func runMTLA(_ args: [String], stdin: Data? = nil) throws -> (status: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = TestData.mtlaBinary
    p.arguments = args
    let o = Pipe(), e = Pipe(), i = Pipe()
    p.standardOutput = o; p.standardError = e; p.standardInput = i
    try p.run()
    if let stdin { i.fileHandleForWriting.write(stdin) }
    try i.fileHandleForWriting.close()
    let out = o.fileHandleForReading.readDataToEndOfFile()
    let err = e.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
}

@Suite struct HelpTests {
    @Test(arguments: [["--help"], ["fbank", "--help"], ["store", "--help"], ["score", "--help"]])
    func helpWorks(_ args: [String]) throws {
        let r = try runMTLA(args)
        #expect(r.status == 0)
        #expect(r.out.contains("USAGE"))
    }
}
