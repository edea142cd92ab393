// bench-json: RFC 8785 canonicalization of a ~10 MB document with SocietyJSON, against Python's
// `json.loads` + `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)` on the same
// file in the same run. Python times itself with time.perf_counter around parse+serialize only
// (no interpreter start-up, no file read), and so do we (the file is read before timing).
//
// Run: cd Benchmarks && swift run -c release bench-json [runs]

import BenchSupport
import Foundation
import SocietyJSON

/// A deterministic generator (SplitMix64), so every run and every machine measures the same bytes.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// Writes a realistic resident-register-like document: nested objects with keys out of order,
/// arrays, Chinese and other non-ASCII text, escapes, integers and doubles of every size.
func makeDocument(targetBytes: Int) -> String {
    var random = SplitMix64(state: 20_240_601)
    let surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"]
    let given = ["小明", "秀英", "建国", "丽", "伟", "芳", "Zoë", "José", "Ngọc", "Åsa"]
    let districts = ["海陵区", "高港区", "姜堰区", "兴化市", "靖江市", "泰兴市"]
    let tags = ["elderly", "低保", "veteran", "disability", "student", "\"quoted\"", "tab\there", "€uro"]
    func number() -> String {
        switch random.below(6) {
        case 0: return String(random.below(1_000_000))
        case 1: return String(format: "%.2f", random.unit() * 10_000)
        case 2: return String(random.unit() * 1_000)
        case 3: return String(format: "%.6e", (random.unit() - 0.5) * 1e-9)
        case 4: return String(Double(random.next() >> 10))
        default: return "-" + String(random.unit())
        }
    }
    var out = "{\n  \"source\": \"bench-json synthetic register\",\n  \"records\": [\n"
    var index = 0
    while out.utf8.count < targetBytes {
        if index > 0 { out += ",\n" }
        let name = surnames[random.below(surnames.count)] + given[random.below(given.count)]
        let tagList = (0..<random.below(4)).map { _ in "\"\(tags[random.below(tags.count)].jsonEscaped)\"" }
        let values = (0..<(2 + random.below(5))).map { _ in number() }
        let district = districts[random.below(districts.count)]
        out += #"    {"name": "\#(name)", "id": \#(100_000 + index), "score": \#(number()),"# + "\n"
        out += #"     "address": {"district": "\#(district)", "line": "\#(random.below(900) + 1) Renmin Rd"#
        out += #" \\ Unit \#(random.below(40))\n", "postcode": "2253\#(random.below(100))"},"# + "\n"
        out += #"     "tags": [\#(tagList.joined(separator: ", "))], "active": \#(random.below(2) == 0),"#
        out += #" "note": null, "measurements": [\#(values.joined(separator: ", "))], "ratio": \#(random.unit()),"#
        out += "\n"
        out += #"     "household": {"size": \#(1 + random.below(6)), "head": \#(random.below(2) == 0),"#
        out += #" "\u20acincome": \#(number())}}"#
        index += 1
    }
    out += "\n  ]\n}\n"
    return out
}

extension String {
    var jsonEscaped: String {
        replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\t", with: "\\t")
    }
}

let runs = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 11
let document = makeDocument(targetBytes: 10 * 1024 * 1024)
let path = FileManager.default.temporaryDirectory.appendingPathComponent("bench-json-\(getpid()).json").path
try Data(document.utf8).write(to: URL(fileURLWithPath: path))
defer { try? FileManager.default.removeItem(atPath: path) }

let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
let megabytes = Double(bytes.count) / 1_048_576
print(String(format: "document: %.2f MB (%d bytes), %d runs each", megabytes, bytes.count, runs))

// Sanity: the output is canonical (a fixed point), so we time real work.
let canonical = try JSONValue.canonicalize(bytes)
let recanonicalized = try JSONValue.canonicalize(canonical)
precondition(recanonicalized == canonical, "canonical form is not a fixed point")
print(String(format: "canonical form: %.2f MB", Double(canonical.count) / 1_048_576))

let ours = try measure("SocietyJSON parse+canonicalize", runs: runs, warmup: 1) {
    _ = try JSONValue.canonicalize(bytes)
}
let parseOnly = try measure("SocietyJSON parse only", runs: runs, warmup: 1) {
    _ = try JSONValue(parsing: bytes)
}

// Python measures itself and prints its samples (seconds) as a JSON array on one line.
let pythonScript = """
    import json, sys, time
    s = open(sys.argv[1], encoding="utf-8").read()
    runs = int(sys.argv[2])
    def once():
        json.dumps(json.loads(s), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    once()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        once()
        samples.append(time.perf_counter() - t)
    print(json.dumps(samples))
    """
let python = Process()
python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
python.arguments = ["python3", "-c", pythonScript, path, String(runs)]
let pipe = Pipe()
python.standardOutput = pipe
try python.run()
let pythonOutput = pipe.fileHandleForReading.readDataToEndOfFile()
python.waitUntilExit()
guard python.terminationStatus == 0,
    let samples = try JSONValue(parsing: pythonOutput).arrayValue?.compactMap(\.doubleValue),
    !samples.isEmpty
else {
    print("python3 baseline failed (status \(python.terminationStatus))")
    exit(1)
}
// Measurement has no public initializer; take an empty one and fill in Python's own samples.
var baseline = measure("Python json (C accelerated)", runs: 0, warmup: 0) {}
baseline.samples = samples
let versionProcess = Process()
versionProcess.executableURL = URL(fileURLWithPath: "/usr/bin/env")
versionProcess.arguments = ["python3", "--version"]
let versionPipe = Pipe()
versionProcess.standardOutput = versionPipe
try versionProcess.run()
let pythonVersion = String(decoding: versionPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
versionProcess.waitUntilExit()

for measurement in [parseOnly, ours, baseline] {
    print(
        String(
            format: "%@: median %.1f ms (%.0f MB/s)",
            measurement.name,
            measurement.median * 1000,
            megabytes / measurement.median
        )
    )
}
print("baseline: \(pythonVersion.trimmingCharacters(in: .whitespacesAndNewlines))")
report(ours, against: baseline, goal: 3)
