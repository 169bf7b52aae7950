import CHDF5
import Foundation
import SpikeHDF5
import SpikeCore
import SpikeModel

/// Writes SHD-layout HDF5 files (float32 times, uint16 units, labels and speakers), atomically (temporary file,
/// then rename).
public enum SHDWriter {
    /// Refuses what the stored types cannot hold instead of clamping it: a label of 70000 must not become 65535,
    /// −1 must not become 0, a unit of 70000 must not land on channel 65535, a time of 1e300 s must not become ∞.
    static func validate(_ samples: [SHDSample], speakers: [Int32]?, path: String) throws {
        let check = InputCheck(source: path)
        let u16 = 0...Int(UInt16.max)
        try datasetChecks {
            if let sp = speakers {
                guard sp.count == samples.count else {
                    throw check.error(.malformed, field: "extra/speaker", "\(sp.count) speakers for \(samples.count) samples", allowed: "one per sample")
                }
                for (i, v) in sp.enumerated() { try check.integer(v, in: u16, field: "extra/speaker[\(i)] (stored as uint16)") }
            }
            for (i, s) in samples.enumerated() {
                try check.integer(s.label, in: u16, field: "labels[\(i)] (stored as uint16)")
                guard s.times.count == s.units.count else {
                    throw check.error(.malformed, field: "sample \(i)", "\(s.times.count) spike times but \(s.units.count) units", allowed: "equal counts")
                }
                for (k, u) in s.units.enumerated() { try check.integer(u, in: u16, field: "spikes/units[\(i)][\(k)] (stored as uint16)") }
                for (k, t) in s.times.enumerated() {
                    try check.finite(t, in: -Double(Float.greatestFiniteMagnitude)...Double(Float.greatestFiniteMagnitude), field: "spikes/times[\(i)][\(k)] (stored as float32)", unit: " s")
                }
            }
        }
    }

    public static func write(
        _ samples: [SHDSample], speakers: [Int32]? = nil, keys: [String] = [], to path: String
    ) throws {
        try validate(samples, speakers: speakers, path: path)
        hdf5Lock.lock()
        defer { hdf5Lock.unlock() }
        spikeloop_h5_silence_errors()
        let url = URL(fileURLWithPath: path)
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
        let f = H5Fcreate(tmp, spikeloop_h5f_acc_trunc(), spikeloop_h5p_default(), spikeloop_h5p_default())
        guard f >= 0 else { throw DatasetError(.unreadable, path: path, "cannot create the file") }
        var ok = false
        defer {
            if !ok { try? FileManager.default.removeItem(atPath: tmp) }
        }
        do {
            defer { H5Fclose(f) }
            for g in ["spikes", "extra"] {
                let gid = H5Gcreate2(f, g, spikeloop_h5p_default(), spikeloop_h5p_default(), spikeloop_h5p_default())
                guard gid >= 0 else { throw DatasetError(.unreadable, path: path, "cannot create group '\(g)'") }
                H5Gclose(gid)
            }
            var n = hsize_t(samples.count)
            let space = H5Screate_simple(1, &n, nil)
            defer { H5Sclose(space) }
            func vlenDataset<T>(_ name: String, fileBase: hid_t, memBase: hid_t, _ values: [[T]]) throws {
                let ft = H5Tvlen_create(fileBase), mt = H5Tvlen_create(memBase)
                defer { H5Tclose(ft); H5Tclose(mt) }
                let d = H5Dcreate2(f, name, ft, space, spikeloop_h5p_default(), spikeloop_h5p_default(), spikeloop_h5p_default())
                guard d >= 0 else { throw DatasetError(.unreadable, path: path, "cannot create '\(name)'") }
                defer { H5Dclose(d) }
                var buffers = values.map { v -> UnsafeMutablePointer<T> in
                    let p = UnsafeMutablePointer<T>.allocate(capacity: max(1, v.count))
                    p.initialize(from: v, count: v.count)
                    return p
                }
                defer { for (p, v) in zip(buffers, values) { p.deinitialize(count: v.count); p.deallocate() } }
                var hv = (0..<values.count).map { hvl_t(len: values[$0].count, p: UnsafeMutableRawPointer(buffers[$0])) }
                guard H5Dwrite(d, mt, spikeloop_h5s_all(), spikeloop_h5s_all(), spikeloop_h5p_default(), &hv) >= 0 else {
                    throw DatasetError(.unreadable, path: path, "cannot write '\(name)'")
                }
                buffers = []
            }
            try vlenDataset("spikes/times", fileBase: spikeloop_h5_ieee_f32le(), memBase: spikeloop_h5_native_float(), samples.map { $0.times.map(Float.init) })
            try vlenDataset("spikes/units", fileBase: spikeloop_h5_std_u16le(), memBase: spikeloop_h5_native_uint16(), samples.map { $0.units.map { UInt16(clamping: $0) } })
            func intDataset(_ name: String, _ values: [Int32]) throws {
                var m = hsize_t(values.count)
                let sp = H5Screate_simple(1, &m, nil)
                defer { H5Sclose(sp) }
                let d = H5Dcreate2(f, name, spikeloop_h5_std_u16le(), sp, spikeloop_h5p_default(), spikeloop_h5p_default(), spikeloop_h5p_default())
                guard d >= 0 else { throw DatasetError(.unreadable, path: path, "cannot create '\(name)'") }
                defer { H5Dclose(d) }
                var v = values
                guard v.withUnsafeMutableBytes({ H5Dwrite(d, spikeloop_h5_native_int32(), spikeloop_h5s_all(), spikeloop_h5s_all(), spikeloop_h5p_default(), $0.baseAddress) }) >= 0 else {
                    throw DatasetError(.unreadable, path: path, "cannot write '\(name)'")
                }
            }
            try intDataset("labels", samples.map(\.label))
            try intDataset("extra/speaker", speakers ?? [Int32](repeating: 0, count: samples.count))
            if !keys.isEmpty {
                let st = H5Tcopy(spikeloop_h5_c_s1())
                defer { H5Tclose(st) }
                H5Tset_size(st, spikeloop_h5t_variable())
                var m = hsize_t(keys.count)
                let sp = H5Screate_simple(1, &m, nil)
                defer { H5Sclose(sp) }
                let d = H5Dcreate2(f, "extra/keys", st, sp, spikeloop_h5p_default(), spikeloop_h5p_default(), spikeloop_h5p_default())
                defer { H5Dclose(d) }
                var cstrings = keys.map { strdup($0) }
                defer { for c in cstrings { free(c) } }
                _ = cstrings.withUnsafeMutableBufferPointer { H5Dwrite(d, st, spikeloop_h5s_all(), spikeloop_h5s_all(), spikeloop_h5p_default(), $0.baseAddress) }
            }
        }
        guard rename(tmp, path) == 0 else { throw DatasetError(.unreadable, path: path, "cannot move the file into place: \(String(cString: strerror(errno)))") }
        ok = true
    }
}
