import CHDF5
import Foundation
import SpikeCore
@testable import SpikeData
import SpikeHDF5
import Testing

@Suite(.serialized) struct SHDFuzzTests {
    static let f64 = spikeloop_h5_native_double(), f32 = spikeloop_h5_native_float()
    static let i32 = spikeloop_h5_native_int32(), i64 = spikeloop_h5_native_int64()
    static let u16 = spikeloop_h5_native_uint16(), u32 = spikeloop_h5_native_uint32(), u64 = spikeloop_h5_native_uint64()

    /// Reads every sample with the fuzz budget; an accepted file must hold valid samples.
    static func read(_ path: String, maxSpikeTime: Double = SHDFile.defaultMaxSpikeTime) throws {
        let f = try SHDFile(path: path, maxSpikeTime: maxSpikeTime, budget: FuzzSettings.memoryBudget)
        #expect(f.sampleCount > 0 && f.labels.count == f.sampleCount)
        #expect(f.labels.allSatisfy { $0 >= 0 && Int($0) < f.labelLimit })
        let binning = SHDBinning(dt: 1e-3, stepCount: 100)
        for i in 0..<f.sampleCount {
            let s = try f.sample(i)
            #expect(s.times.count == s.units.count && s.units.allSatisfy { $0 >= 0 && $0 < 700 } && s.times.allSatisfy { $0.isFinite && $0 >= 0 })
            #expect(binning.events(s).allSatisfy { $0.step >= 0 && $0.step < 100 })
        }
    }

    /// A complete layout with three samples; parameters replace one part at a time.
    static func layout(
        _ path: String, times: (([[Double]]) -> Void)? = nil, units: ((H5Builder) -> Void)? = nil,
        labels: ((H5Builder) -> Void)? = nil, speakers: ((H5Builder) -> Void)? = nil,
        build: (H5Builder) -> Void = { _ in }
    ) {
        let h = H5Builder(path)
        h.group("spikes")
        h.group("extra")
        h.vlen("spikes/times", f64, [[0.1, 0.2], [0.3], [0.05, 0.4, 0.5]])
        if let u = units { u(h) } else { h.vlen("spikes/units", u16, [[1, 2], [3], [4, 5, 699]] as [[UInt16]]) }
        if let l = labels { l(h) } else { h.plain("labels", u16, dims: [3], [0, 1, 19] as [UInt16]) }
        if let s = speakers { s(h) } else { h.plain("extra/speaker", u16, dims: [3], [0, 0, 1] as [UInt16]) }
        build(h)
        h.close()
    }

    @Test("malformed SHD layouts, labels, units and times end in errors naming the file and dataset")
    func generated() throws {
        let run = FuzzRun("SHD generated")
        let (f64, f32, i32, i64) = (Self.f64, Self.f32, Self.i32, Self.i64)
        let (u16, u32, u64) = (Self.u16, Self.u32, Self.u64)
        func one(_ label: String, _ words: [String], mayAccept: Bool = false, maxSpikeTime: Double = SHDFile.defaultMaxSpikeTime, _ make: (String) -> Void) {
            let p = run.path(label, ext: "h5")
            hdf5Lock.lock()
            make(p)
            hdf5Lock.unlock()
            run.check(label, source: p, words: words, mayAccept: mayAccept) { try Self.read(p, maxSpikeTime: maxSpikeTime) }
        }
        func custom(_ label: String, _ words: [String], _ body: @escaping (H5Builder) -> Void) {
            one(label, words) { p in
                let h = H5Builder(p)
                body(h)
                h.close()
            }
        }
        // layouts
        custom("missing-units", ["missing dataset 'spikes/units'"]) { h in
            h.group("spikes"); h.vlen("spikes/times", Self.f64, [[0.1]]); h.plain("labels", Self.u16, dims: [1], [1] as [UInt16])
        }
        custom("missing-labels", ["missing dataset 'labels'"]) { h in
            h.group("spikes"); h.vlen("spikes/times", Self.f64, [[0.1]]); h.vlen("spikes/units", Self.u16, [[1]] as [[UInt16]])
        }
        custom("missing-spikes-group", ["missing dataset 'spikes/times'"]) { h in h.plain("labels", Self.u16, dims: [1], [1] as [UInt16]) }
        custom("empty-hdf5", ["missing dataset"]) { _ in }
        custom("times-a-group", ["missing dataset 'spikes/times'"]) { h in h.group("spikes"); h.group("spikes/times") }
        one("times-not-vlen", ["not a variable-length"]) { p in
            Self.layout(p, build: { _ in })
            let h = H5Builder(p)
            h.group("spikes"); h.group("extra")
            h.plain("spikes/times", Self.f64, dims: [3], [0.1, 0.2, 0.3])
            h.vlen("spikes/units", Self.u16, [[1], [2], [3]] as [[UInt16]])
            h.plain("labels", Self.u16, dims: [3], [0, 1, 2] as [UInt16])
            h.close()
        }
        custom("units-not-vlen", ["not a variable-length"]) { h in
            h.group("spikes"); h.vlen("spikes/times", Self.f64, [[0.1]]); h.plain("spikes/units", Self.i32, dims: [1], [3] as [Int32])
            h.plain("labels", Self.u16, dims: [1], [1] as [UInt16])
        }
        custom("units-vlen-of-strings", ["expected numbers"]) { h in
            h.group("spikes"); h.vlen("spikes/times", Self.f64, [[0.1]])
            let st = H5Tcopy(spikeloop_h5_c_s1()); H5Tset_size(st, 4)
            h.unwrittenVlen("spikes/units", st, count: 1); H5Tclose(st)
            h.plain("labels", Self.u16, dims: [1], [1] as [UInt16])
        }
        one("labels-float", ["expected integers"]) { Self.layout($0, labels: { $0.plain("labels", Self.f32, dims: [3], [0, 1, 2] as [Float]) }) }
        one("labels-2d", ["not one-dimensional"]) { Self.layout($0, labels: { $0.plain("labels", Self.u16, dims: [3, 1], [0, 1, 2] as [UInt16]) }) }
        one("labels-scalar", ["not one-dimensional"]) { Self.layout($0, labels: { $0.plain("labels", Self.u16, dims: [], [4] as [UInt16]) }) }
        one("labels-short", ["labels 2"]) { Self.layout($0, labels: { $0.plain("labels", Self.u16, dims: [2], [0, 1] as [UInt16]) }) }
        one("units-long", ["spikes/units 4"]) { Self.layout($0, units: { $0.vlen("spikes/units", Self.u16, [[1, 2], [3], [4, 5, 6], [1]] as [[UInt16]]) }) }
        one("sample-length-mismatch", ["has 2 spikes but spikes/units[0] has 1"]) { Self.layout($0, units: { $0.vlen("spikes/units", Self.u16, [[1], [3], [4, 5, 6]] as [[UInt16]]) }) }
        // declared sizes
        for (label, count) in [("zero-samples", 0), ("1e8-empty-samples", 100_000_000), ("2^40-samples", 1 << 40), ("2^50-samples", 1 << 50)] as [(String, hsize_t)] {
            custom(label, count == 0 ? ["no samples"] : ["declares \(count) elements"]) { h in
                h.group("spikes")
                h.unwrittenVlen("spikes/times", Self.f64, count: count)
                h.unwrittenVlen("spikes/units", Self.u16, count: count)
                h.plain("labels", Self.u16, dims: [count], nil as [UInt16]?)
            }
        }
        // speakers
        one("speakers-short", ["extra/speaker has 2 entries"]) { Self.layout($0, speakers: { $0.plain("extra/speaker", Self.u16, dims: [2], [0, 1] as [UInt16]) }) }
        one("speakers-negative", ["extra/speaker[1]"]) { Self.layout($0, speakers: { $0.plain("extra/speaker", Self.i32, dims: [3], [0, -1, 2] as [Int32]) }) }
        one("speakers-float", ["expected integers"]) { Self.layout($0, speakers: { $0.plain("extra/speaker", Self.f64, dims: [3], [0, 1, 2] as [Double]) }) }
        one("speakers-2^40", ["extra/speaker[2]"]) { Self.layout($0, speakers: { $0.plain("extra/speaker", Self.i64, dims: [3], [0, 1, 1 << 40] as [Int64]) }) }
        // labels
        let labelCases: [(String, hid_t, Any)] = [
            ("i32-2^31-1", i32, [0, Int32.max, 1] as [Int32]), ("i32-minus-1", i32, [0, -1, 1] as [Int32]),
            ("i32-1000", i32, [0, 1000, 1] as [Int32]), ("i32-256", i32, [0, 256, 1] as [Int32]),
            ("i32-70000", i32, [0, 70_000, 1] as [Int32]), ("i32-min", i32, [0, Int32.min, 1] as [Int32]),
            ("i64-minus-2^40", i64, [0, -(1 << 40), 1] as [Int64]), ("i64-2^40", i64, [0, 1 << 40, 1] as [Int64]),
            ("u32-4e9", u32, [0, 4_000_000_000, 1] as [UInt32]), ("u64-max", u64, [0, UInt64.max, 1] as [UInt64]),
            ("u16-65535", u16, [0, 65_535, 1] as [UInt16]),
        ]
        for (label, type, values) in labelCases {
            one("label-\(label)", ["labels[1]"]) { p in
                Self.layout(p, labels: { h in
                    switch values {
                    case let v as [Int32]: h.plain("labels", type, dims: [3], v)
                    case let v as [Int64]: h.plain("labels", type, dims: [3], v)
                    case let v as [UInt32]: h.plain("labels", type, dims: [3], v)
                    case let v as [UInt64]: h.plain("labels", type, dims: [3], v)
                    case let v as [UInt16]: h.plain("labels", type, dims: [3], v)
                    default: break
                    }
                })
            }
        }
        // spike times
        let timeCases: [(String, [Double], [String])] = [
            ("1e20", [0.1, 1e20], ["1e+20"]), ("nan", [0.1, .nan], ["not finite"]), ("inf", [0.1, .infinity], ["not finite"]),
            ("-inf", [-.infinity, 0.1], ["negative"]), ("negative", [-1e-3, 0.1], ["negative"]),
            ("decreasing", [0.5, 0.1], ["non-decreasing"]), ("1e300", [0.1, 1e300], ["1e+300"]),
            ("3601s", [0.1, 3601], ["3601"]), ("max", [0.1, .greatestFiniteMagnitude], ["beyond"]),
        ]
        for (label, t, words) in timeCases {
            one("time-\(label)", words) { p in
                let h = H5Builder(p)
                h.group("spikes")
                h.vlen("spikes/times", Self.f64, [[0.01, 0.02], t])
                h.vlen("spikes/units", Self.u16, [[1, 2], [3, 4]] as [[UInt16]])
                h.plain("labels", Self.u16, dims: [2], [0, 1] as [UInt16])
                h.close()
            }
        }
        one("time-f32-nan", ["not finite"]) { p in
            let h = H5Builder(p)
            h.group("spikes")
            h.vlen("spikes/times", Self.f32, [[0.01, Float.nan]])
            h.vlen("spikes/units", Self.u16, [[1, 2]] as [[UInt16]])
            h.plain("labels", Self.u16, dims: [1], [0] as [UInt16])
            h.close()
        }
        // units
        let unitCases: [(String, hid_t, Any, [String])] = [
            ("f64-2.5", f64, [1.0, 2.5] as [Double], ["not an integer"]), ("f64-699.999", f64, [1.0, 699.999] as [Double], ["not an integer"]),
            ("f64-nan", f64, [1.0, .nan] as [Double], ["not an integer"]), ("f64-minus-1", f64, [1.0, -1] as [Double], ["outside 0..<700"]),
            ("f64-1e30", f64, [1.0, 1e30] as [Double], ["outside 0..<700"]), ("f32-0.5", f32, [0.5, 1] as [Float], ["not an integer"]),
            ("i32-700", i32, [1, 700] as [Int32], ["= 700"]), ("i32-minus-1", i32, [1, -1] as [Int32], ["= -1"]),
            ("i32-70000", i32, [1, 70_000] as [Int32], ["= 70000"]), ("i64-2^40", i64, [1, 1 << 40] as [Int64], ["outside 0..<700"]),
            ("u64-max", u64, [1, UInt64.max] as [UInt64], ["outside 0..<700"]), ("u16-65535", u16, [1, 65_535] as [UInt16], ["= 65535"]),
        ]
        for (label, type, values, words) in unitCases {
            one("unit-\(label)", words) { p in
                let h = H5Builder(p)
                h.group("spikes")
                h.vlen("spikes/times", Self.f64, [[0.01, 0.02], [0.1, 0.2]])
                switch values {
                case let v as [Double]: h.vlen("spikes/units", type, [[5, 6], v])
                case let v as [Float]: h.vlen("spikes/units", type, [[5, 6], v])
                case let v as [Int32]: h.vlen("spikes/units", type, [[5, 6], v])
                case let v as [Int64]: h.vlen("spikes/units", type, [[5, 6], v])
                case let v as [UInt64]: h.vlen("spikes/units", type, [[5, 6], v])
                case let v as [UInt16]: h.vlen("spikes/units", type, [[5, 6], v])
                default: break
                }
                h.plain("labels", Self.u16, dims: [2], [0, 1] as [UInt16])
                h.close()
            }
        }
        // not HDF5, or damaged
        let valid = run.path("valid-source", ext: "h5")
        try SHDWriter.write((0..<6).map { SHDSample(times: [0.1, 0.2 + Double($0) / 10], units: [Int32($0), 7], label: Int32($0)) }, to: valid)
        let validBytes = try Data(contentsOf: URL(fileURLWithPath: valid))
        for (label, data) in [("text", Data("not hdf5 at all".utf8)), ("zero-bytes", Data()), ("zeros-4k", Data(count: 4096)), ("idx-file", IDXFuzzTests.images(2, 3, 3))] {
            let p = run.write(data, label, ext: "h5")
            run.check(label, source: p, words: ["not an HDF5 file"], input: data) { try Self.read(p) }
        }
        for cut in [8, 100, 500, 1000, validBytes.count / 2, validBytes.count - 100, validBytes.count - 1] {
            let data = validBytes.prefix(cut)
            let p = run.write(data, "cut-\(cut)", ext: "h5")
            run.check("cut-\(cut)", source: p, input: data) { try Self.read(p) }
        }
        let dir = run.path("a-directory", ext: "h5")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        run.check("directory", source: dir, words: ["not an HDF5 file"]) { try Self.read(dir) }
        // descriptors that disagree with the global heap (HDF5 itself would copy past its buffer)
        func patched(_ label: String, _ words: [String], _ patch: @escaping (inout [UInt8], Int) -> Void) {
            one(label, words) { p in
                Self.layout(p)
                let f = H5Fopen(p, spikeloop_h5f_acc_rdonly(), spikeloop_h5p_default())
                let d = H5Dopen2(f, "spikes/units", spikeloop_h5p_default())
                let offset = Int(H5Dget_offset(d))
                H5Dclose(d)
                H5Fclose(f)
                var b = [UInt8](try! Data(contentsOf: URL(fileURLWithPath: p)))
                patch(&b, offset + 16)  // the descriptor of sample 1: length, collection address, object index
                try! Data(b).write(to: URL(fileURLWithPath: p))
            }
        }
        patched("heap-length-plus-1", ["declares 2 values of 2 bytes but its heap object holds 2 bytes"]) { b, o in b[o] = 2 }
        patched("heap-length-huge", ["heap object holds 2 bytes"]) { b, o in b[o + 3] = 0x7F }
        patched("heap-length-zero", ["declares 0 values"]) { b, o in b[o] = 0 }
        patched("heap-index-999", ["heap object 999 does not exist"]) { b, o in b[o + 12] = 0xE7; b[o + 13] = 0x03 }
        patched("heap-address-zero", ["no heap object holds them"]) { b, o in for k in 4..<12 { b[o + k] = 0 } }
        patched("heap-address-past-end", ["beyond the end", "bad signature"]) { b, o in b[o + 10] = 0x40 }
        patched("heap-address-inside-data", ["bad signature"]) { b, o in b[o + 4] = 0x08; b[o + 5] = 0; b[o + 6] = 0 }
        // corrupt group metadata that makes HDF5 itself abort or crash (local heap sizes and addresses): the forked
        // structure probe turns these into errors
        let heaps: [Int] = {
            var at: [Int] = []
            let b = [UInt8](validBytes)
            for i in 0..<(b.count - 4) where b[i] == 0x48 && b[i + 1] == 0x45 && b[i + 2] == 0x41 && b[i + 3] == 0x50 { at.append(i) }
            return at
        }()
        #expect(heaps.count >= 2, "local heaps in the SHD writer's file: \(heaps)")
        for (h, at) in heaps.enumerated() {
            for (field, offset) in [("size", 8), ("free-list", 16), ("address", 24)] {
                var b = [UInt8](validBytes)
                for k in 0..<8 { b[at + offset + k] = 0xFF }
                let data = Data(b)
                let p = run.write(data, "local-heap-\(h)-\(field)", ext: "h5")
                // a read-only open may never consult a heap's free list: a still-valid read is fine there
                run.check("local-heap-\(h)-\(field)", source: p, mayAccept: field == "free-list", input: data) { try Self.read(p) }
            }
        }
        // contiguous storage whose recorded address or size is wrong (HDF5 would copy from outside its buffers)
        for name in ["labels", "extra/speaker", "spikes/times", "spikes/units"] {
            hdf5Lock.lock()
            let f = H5Fopen(valid, spikeloop_h5f_acc_rdonly(), spikeloop_h5p_default())
            let d = H5Dopen2(f, name, spikeloop_h5p_default())
            let (offset, size) = (UInt64(H5Dget_offset(d)), UInt64(H5Dget_storage_size(d)))
            H5Dclose(d)
            H5Fclose(f)
            hdf5Lock.unlock()
            var key = Data()
            key.appendLE(offset)
            key.appendLE(size)
            guard let at = validBytes.range(of: key)?.lowerBound else {
                Issue.record("layout message of \(name) not found")
                continue
            }
            for (label, newOffset, newSize) in [("address-huge", UInt64(Int64.max), size), ("address-past-end", UInt64(validBytes.count), size),
                                               ("size-larger", offset, size + 64), ("size-smaller", offset, size / 2)] {
                var b = validBytes
                var patch = Data()
                patch.appendLE(newOffset)
                patch.appendLE(newSize)
                b.replaceSubrange(at..<(at + 16), with: patch)
                let case_ = "storage-\(name.replacingOccurrences(of: "/", with: "-"))-\(label)"
                let p = run.write(b, case_, ext: "h5")
                run.check(case_, source: p, words: ["storage records", "crashed", "beyond", "cannot read"], input: b) { try Self.read(p) }
            }
            // the layout class byte just before the address: contiguous (1) read as compact (0) or chunked (2)
            if at >= 2, validBytes[at - 1] == 1 {
                for (label, cls) in [("compact", UInt8(0)), ("chunked", 2), ("virtual", 3), ("class-9", 9)] {
                    var b = validBytes
                    b[at - 1] = cls
                    let case_ = "layout-\(name.replacingOccurrences(of: "/", with: "-"))-\(label)"
                    let p = run.write(b, case_, ext: "h5")
                    run.check(case_, source: p, input: b) { try Self.read(p) }
                }
            } else {
                Issue.record("layout class byte of \(name) not found before its address")
            }
        }
        // storage layouts: chunked + deflate + shuffle is read and verified; compact is refused
        one("chunked-deflate-valid", [], mayAccept: true) { p in
            let dcpl = H5Pcreate(spikeloop_h5p_dataset_create())
            var rows = hsize_t(2)
            H5Pset_chunk(dcpl, 1, &rows)
            H5Pset_shuffle(dcpl)
            H5Pset_deflate(dcpl, 6)
            let h = H5Builder(p)
            h.group("spikes")
            h.vlen("spikes/times", Self.f64, [[0.1, 0.2], [0.3], [0.4, 0.5]], dcpl: dcpl)
            h.vlen("spikes/units", Self.u16, [[1, 2], [3], [4, 5]] as [[UInt16]], dcpl: dcpl)
            h.plain("labels", Self.u16, dims: [3], [0, 1, 2] as [UInt16])
            h.close()
            H5Pclose(dcpl)
        }
        one("compact-layout", ["compact or virtual"]) { p in
            let dcpl = H5Pcreate(spikeloop_h5p_dataset_create())
            H5Pset_layout(dcpl, H5D_COMPACT)
            let h = H5Builder(p)
            h.group("spikes")
            h.vlen("spikes/times", Self.f64, [[0.1, 0.2], [0.3]], dcpl: dcpl)
            h.vlen("spikes/units", Self.u16, [[1, 2], [3]] as [[UInt16]])
            h.plain("labels", Self.u16, dims: [2], [0, 1] as [UInt16])
            h.close()
            H5Pclose(dcpl)
        }
        // element types HDF5 would convert with out-of-range bit fields
        one("units-type-offset-bits", ["declares 8 bits at offset 8"]) { p in
            let t = H5Tcopy(Self.u16)
            H5Tset_precision(t, 8)
            H5Tset_offset(t, 8)
            let h = H5Builder(p)
            h.group("spikes")
            h.vlen("spikes/times", Self.f64, [[0.1]])
            h.vlen("spikes/units", t, [[0x0300]] as [[UInt16]])
            h.plain("labels", Self.u16, dims: [1], [0] as [UInt16])
            h.close()
            H5Tclose(t)
        }
        one("times-type-minifloat", ["non-IEEE layout", "declares"]) { p in
            let t = H5Tcopy(Self.f32)
            H5Tset_fields(t, 31, 20, 11, 0, 20)
            let h = H5Builder(p)
            h.group("spikes")
            h.vlen("spikes/times", t, [[Float(0.5)]])
            h.vlen("spikes/units", Self.u16, [[1]] as [[UInt16]])
            h.plain("labels", Self.u16, dims: [1], [0] as [UInt16])
            h.close()
            H5Tclose(t)
        }
        // still valid: a plausible file, and a 1e20 s spike read with the time limit lifted, which binning drops
        run.check("valid", source: valid, mayAccept: true) { try Self.read(valid) }
        one("time-1e20-allowed", [], mayAccept: true, maxSpikeTime: 1e30) { p in
            let h = H5Builder(p)
            h.group("spikes")
            h.vlen("spikes/times", Self.f64, [[0.01, 1e20]])
            h.vlen("spikes/units", Self.u16, [[1, 2]] as [[UInt16]])
            h.plain("labels", Self.u16, dims: [1], [0] as [UInt16])
            h.close()
        }
        run.report(minimumCases: 115)
    }

    @Test("the SHD writer refuses values its stored types cannot hold")
    func writer() {
        let run = FuzzRun("SHD writer")
        let ok = SHDSample(times: [0.1], units: [3], label: 2)
        let cases: [(String, [SHDSample], [Int32]?, [String])] = [
            ("label-70000", [SHDSample(times: [0.1], units: [1], label: 70_000)], nil, ["labels[0]", "70000"]),
            ("label-65536", [ok, SHDSample(times: [], units: [], label: 65_536)], nil, ["labels[1]"]),
            ("label-minus-1", [SHDSample(times: [0.1], units: [1], label: -1)], nil, ["labels[0]", "-1"]),
            ("label-int-min", [SHDSample(times: [], units: [], label: .min)], nil, ["labels[0]"]),
            ("unit-minus-1", [SHDSample(times: [0.1, 0.2], units: [1, -1], label: 0)], nil, ["spikes/units[0][1]"]),
            ("unit-70000", [SHDSample(times: [0.1], units: [70_000], label: 0)], nil, ["spikes/units[0][0]"]),
            ("time-nan", [SHDSample(times: [.nan], units: [1], label: 0)], nil, ["spikes/times[0][0]"]),
            ("time-inf", [SHDSample(times: [.infinity], units: [1], label: 0)], nil, ["spikes/times[0][0]"]),
            ("time-1e300", [ok, SHDSample(times: [1e300], units: [1], label: 0)], nil, ["spikes/times[1][0]", "float32"]),
            ("counts-differ", [SHDSample(times: [0.1, 0.2], units: [1], label: 0)], nil, ["2 spike times but 1 units"]),
            ("speaker-minus-1", [ok], [-1], ["extra/speaker[0]"]),
            ("speaker-70000", [ok], [70_000], ["extra/speaker[0]"]),
            ("speakers-count", [ok, ok], [1], ["1 speakers for 2 samples"]),
        ]
        for (label, samples, speakers, words) in cases {
            let p = run.path(label, ext: "h5")
            run.check(label, source: p, words: words) { try SHDWriter.write(samples, speakers: speakers, to: p) }
            #expect(!FileManager.default.fileExists(atPath: p), "\(label): a refused write left a file")
        }
        run.report(minimumCases: 13)
    }

    @Test("byte-flipped SHD files are errors or still-valid samples")
    func byteFlips() throws {
        let run = FuzzRun("SHD byte flips")
        let valid = run.path("valid-source", ext: "h5")
        var rng = FuzzRandom(seed: FuzzSettings.seed ^ 0x5D)
        var samples: [SHDSample] = []
        for s in 0..<8 {
            let n = 3 + s
            let times: [Double] = (0..<n).map { Double($0) * 0.05 }
            let units: [Int32] = (0..<n).map { Int32(($0 * 37 + s) % 700) }
            samples.append(SHDSample(times: times, units: units, label: Int32(s % 20)))
        }
        let speakers: [Int32] = (0..<8).map { Int32($0 % 3) }
        try SHDWriter.write(samples, speakers: speakers, to: valid)
        let good = try Data(contentsOf: URL(fileURLWithPath: valid))
        for i in 0..<FuzzSettings.iterations(default: 400) {
            let data = ByteFlip.mutate(good, &rng)
            let p = run.write(data, "flip-\(i)", ext: "h5")
            run.check("flip-\(i)", source: p, mayAccept: true, input: data) { try Self.read(p) }
        }
        run.report(minimumCases: 2)
    }
}
