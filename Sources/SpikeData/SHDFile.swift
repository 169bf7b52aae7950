import CHDF5
import Foundation
import SpikeHDF5
import SpikeCore
import SpikeModel

/// One sample of a spike dataset in the Spiking Heidelberg Digits layout: spike times (seconds) and channels.
public struct SHDSample: Equatable, Sendable {
    public var times: [Double]
    public var units: [Int32]
    public var label: Int32
    public init(times: [Double], units: [Int32], label: Int32) {
        self.times = times
        self.units = units
        self.label = label
    }
}

/// Reads SHD-format HDF5 files (`spikes/times`, `spikes/units` per-sample variable-length arrays, `labels`,
/// `extra/speaker`, ...) through the HDF5 C library, one sample at a time, so large files are streamed.
///
/// Element types are converted by HDF5 (the published files store float16 times and uint16 units; files written
/// by `SHDWriter` use float32 and uint16). Cramer et al. 2020, doi:10.1109/TNNLS.2020.3044364.
public final class SHDFile: @unchecked Sendable {
    public let path: String
    public let sampleCount: Int
    public let labels: [Int32]
    /// `extra/speaker`, when present.
    public let speakers: [Int32]?
    /// Channels of the cochlea model (700 in SHD); units must lie below it.
    public let channelCount: Int
    /// Labels must lie in `0..<labelLimit`; a stray large label would otherwise size the network's readout.
    public let labelLimit: Int
    /// Spike times must lie in `0...maxSpikeTime` seconds.
    public let maxSpikeTime: Double
    private let file: hid_t
    private let times: hid_t
    private let units: hid_t
    /// Raw read access for the heap guards.
    private let fd: Int32
    private let timesGuard: VlenHeapGuard
    private let unitsGuard: VlenHeapGuard

    /// SHD has 20 classes, the Spiking Speech Commands 35; 256 leaves room without letting one corrupt label
    /// build a 2³¹-class network.
    public static let defaultLabelLimit = 256
    /// SHD utterances last about 1 s; a spike an hour after the onset is a corrupt time, not speech.
    public static let defaultMaxSpikeTime = 3600.0
    /// The least a sample can occupy in a file: two variable-length descriptors of 16 bytes each, allowing 4:1
    /// compression of the descriptor arrays. A file cannot declare more samples than its size allows at this rate
    /// (a 3 KB file declaring 10⁸ empty samples would otherwise be read for hours).
    public static let minBytesPerSample = 8.0

    /// Opens `path` and reads its labels and speakers; samples are read on demand by ``sample(_:)``.
    ///
    /// - Throws: `DatasetError` naming the file and dataset when a dataset is missing, has the wrong type or
    ///   rank, the sample count is zero or beyond what the file's size (or the memory `budget`) can hold, a label
    ///   is outside `0..<labelLimit`, or the speakers do not match the samples.
    public init(
        path: String, channelCount: Int = 700, labelLimit: Int = SHDFile.defaultLabelLimit,
        maxSpikeTime: Double = SHDFile.defaultMaxSpikeTime, budget: Int = InputLimits.memoryBudget
    ) throws {
        self.path = path
        self.channelCount = channelCount
        self.labelLimit = labelLimit
        self.maxSpikeTime = maxSpikeTime
        guard FileManager.default.fileExists(atPath: path) else { throw DatasetError(.notFound, path: path, "file does not exist") }
        hdf5Lock.lock()
        defer { hdf5Lock.unlock() }
        spikeloop_h5_silence_errors()
        let fileBytes = InputLimits.fileSize(path) ?? 0
        try Self.preflight(path, fileSize: fileBytes)
        let f = H5Fopen(path, spikeloop_h5f_acc_rdonly(), spikeloop_h5p_default())
        guard f >= 0 else { throw DatasetError(.corrupt, path: path, "not an HDF5 file (H5Fopen failed)") }
        func open(_ name: String) throws -> hid_t {
            guard H5Lexists(f, name.components(separatedBy: "/").first!, spikeloop_h5p_default()) > 0 || !name.contains("/") else {
                throw DatasetError(.corrupt, path: path, "missing dataset '\(name)'")
            }
            let d = H5Dopen2(f, name, spikeloop_h5p_default())
            guard d >= 0 else { throw DatasetError(.corrupt, path: path, "missing dataset '\(name)'") }
            return d
        }
        let descriptor = Foundation.open(path, O_RDONLY)
        guard descriptor >= 0 else {
            H5Fclose(f)
            throw DatasetError(.unreadable, path: path, "cannot open: \(String(cString: strerror(errno)))")
        }
        var opened: [hid_t] = []
        var guards: [VlenHeapGuard] = []
        do {
            let t = try open("spikes/times")
            opened.append(t)
            let u = try open("spikes/units")
            opened.append(u)
            let labelSet = try open("labels")
            defer { H5Dclose(labelSet) }
            for (name, d) in [("spikes/times", t), ("spikes/units", u)] {
                let type = H5Dget_type(d)
                defer { H5Tclose(type) }
                guard H5Tget_class(type) == H5T_VLEN else {
                    throw DatasetError(.corrupt, path: path, "dataset '\(name)' is not a variable-length array per sample")
                }
                let base = H5Tget_super(type)
                defer { H5Tclose(base) }
                let c = H5Tget_class(base)
                guard c == H5T_FLOAT || c == H5T_INTEGER else {
                    throw DatasetError(.corrupt, path: path, "dataset '\(name)' holds variable-length arrays of \(c), expected numbers")
                }
                try Self.checkNumericType(base, name: name, path: path)
            }
            let check = InputCheck(source: path)
            let n = try Self.length(of: t, name: "spikes/times", path: path)
            let nu = try Self.length(of: u, name: "spikes/units", path: path)
            let nl = try Self.length(of: labelSet, name: "labels", path: path)
            guard nu == n, nl == n else {
                throw DatasetError(.mismatch, path: path, "spikes/times has \(n) samples, spikes/units \(nu), labels \(nl)")
            }
            guard n > 0 else {
                throw DatasetError(check.error(.outOfRange, field: "spikes/times", "the file holds no samples", allowed: "at least 1 sample"))
            }
            try datasetChecks {
                let size = InputLimits.fileSize(path) ?? Int.max
                try check.fits(n, minBytesPerElement: Self.minBytesPerSample, available: size, field: "samples (length of spikes/times)")
                try check.allocation(count: n, elementBytes: 16, field: "samples (length of spikes/times)", budget: budget)
            }
            sampleCount = n
            let size = InputLimits.fileSize(path) ?? 0
            guards = [
                try VlenHeapGuard(dataset: t, file: f, fd: descriptor, fileSize: size, path: path, name: "spikes/times", count: n),
                try VlenHeapGuard(dataset: u, file: f, fd: descriptor, fileSize: size, path: path, name: "spikes/units", count: n),
            ]
            labels = try Self.readIntegers(labelSet, count: n, name: "labels", path: path, allowed: 0...(labelLimit - 1))
            if H5Lexists(f, "extra", spikeloop_h5p_default()) > 0, H5Lexists(f, "extra/speaker", spikeloop_h5p_default()) > 0 {
                let sp = H5Dopen2(f, "extra/speaker", spikeloop_h5p_default())
                guard sp >= 0 else { throw DatasetError(.corrupt, path: path, "cannot open dataset 'extra/speaker'") }
                defer { H5Dclose(sp) }
                let ns = try Self.length(of: sp, name: "extra/speaker", path: path)
                guard ns == n else {
                    throw DatasetError(.mismatch, path: path, "extra/speaker has \(ns) entries for \(n) samples")
                }
                speakers = try Self.readIntegers(sp, count: n, name: "extra/speaker", path: path, allowed: 0...Int(Int32.max))
            } else {
                speakers = nil
            }
        } catch {
            for d in opened { H5Dclose(d) }
            H5Fclose(f)
            close(descriptor)
            throw error
        }
        file = f
        times = opened[0]
        units = opened[1]
        fd = descriptor
        timesGuard = guards[0]
        unitsGuard = guards[1]
    }

    deinit {
        hdf5Lock.lock()
        defer { hdf5Lock.unlock() }
        H5Dclose(times)
        H5Dclose(units)
        H5Fclose(file)
        close(fd)
    }

    static func length(of d: hid_t, name: String, path: String) throws -> Int {
        let space = H5Dget_space(d)
        guard space >= 0 else { throw DatasetError(.corrupt, path: path, "dataset '\(name)' has no readable dataspace") }
        defer { H5Sclose(space) }
        guard H5Sget_simple_extent_ndims(space) == 1 else { throw DatasetError(.corrupt, path: path, "dataset '\(name)' is not one-dimensional") }
        var dim: hsize_t = 0
        guard H5Sget_simple_extent_dims(space, &dim, nil) == 1 else {
            throw DatasetError(.corrupt, path: path, "dataset '\(name)' has no readable extent")
        }
        return try datasetChecks { try InputCheck(source: path).integer(dim, in: 0...Int.max, field: "length of '\(name)'") }
    }

    /// Reads an integer dataset of `count` elements (any stored width) and checks every value against `allowed`.
    static func readIntegers(_ d: hid_t, count: Int, name: String, path: String, allowed: ClosedRange<Int>) throws -> [Int32] {
        let type = H5Dget_type(d)
        defer { H5Tclose(type) }
        guard H5Tget_class(type) == H5T_INTEGER else { throw DatasetError(.corrupt, path: path, "dataset '\(name)' holds \(H5Tget_class(type)), expected integers") }
        try checkNumericType(type, name: name, path: path)
        try checkContiguousStorage(d, count: count, elementSize: H5Tget_size(type), fileSize: InputLimits.fileSize(path) ?? 0, name: name, path: path)
        // Read as 64-bit so that no stored value (uint32 4e9, int64 −1) is clipped or wrapped before the check.
        var wide = [Int64](repeating: 0, count: count)
        let r = wide.withUnsafeMutableBytes { H5Dread(d, spikeloop_h5_native_int64(), spikeloop_h5s_all(), spikeloop_h5s_all(), spikeloop_h5p_default(), $0.baseAddress) }
        guard r >= 0 else { throw DatasetError(.corrupt, path: path, "cannot read dataset '\(name)'") }
        let check = InputCheck(source: path)
        return try datasetChecks {
            try wide.enumerated().map { i, v in Int32(try check.integer(v, in: allowed, field: "\(name)[\(i)]")) }
        }
    }

    /// Reads one variable-length element `i` of `dataset`, converted to `memType`.
    private func readElement<T>(_ dataset: hid_t, _ i: Int, memBase: hid_t, as: T.Type, name: String) throws -> [T] {
        let space = H5Dget_space(dataset)
        defer { H5Sclose(space) }
        var start = hsize_t(i), count = hsize_t(1)
        H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, nil, &count, nil)
        var one = hsize_t(1)
        let memSpace = H5Screate_simple(1, &one, nil)
        defer { H5Sclose(memSpace) }
        let vlen = H5Tvlen_create(memBase)
        defer { H5Tclose(vlen) }
        var h = hvl_t(len: 0, p: nil)
        guard H5Dread(dataset, vlen, memSpace, space, spikeloop_h5p_default(), &h) >= 0 else {
            throw DatasetError(.corrupt, path: path, "cannot read '\(name)' sample \(i) (element type not convertible?)")
        }
        defer { H5Dvlen_reclaim(vlen, memSpace, spikeloop_h5p_default(), &h) }
        guard let p = h.p, h.len > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: p.assumingMemoryBound(to: T.self), count: Int(h.len)))
    }

    /// Sample `i`, validated: equal lengths, units integral and below the channel count, times finite, in
    /// `0...maxSpikeTime` and non-decreasing.
    ///
    /// Units are read as `Double` whatever their stored type, so a float index such as 2.7 is an error instead
    /// of being truncated to channel 2.
    public func sample(_ i: Int) throws -> SHDSample {
        precondition(i >= 0 && i < sampleCount, "sample \(i) out of 0..<\(sampleCount)")
        hdf5Lock.lock()
        defer { hdf5Lock.unlock() }
        try timesGuard.verify(i)
        try unitsGuard.verify(i)
        let t = try readElement(times, i, memBase: spikeloop_h5_native_double(), as: Double.self, name: "spikes/times")
        let uv = try readElement(units, i, memBase: spikeloop_h5_native_double(), as: Double.self, name: "spikes/units")
        guard t.count == uv.count else {
            throw DatasetError(.mismatch, path: path, "spikes/times[\(i)] has \(t.count) spikes but spikes/units[\(i)] has \(uv.count)")
        }
        let check = InputCheck(source: path)
        var u = [Int32](repeating: 0, count: uv.count)
        for k in uv.indices {
            let v = uv[k]
            guard v.isFinite, v.rounded(.towardZero) == v else {
                throw DatasetError(check.error(
                    .notInteger, field: "spikes/units[\(i)][\(k)]", "\(v) is not an integer channel index",
                    allowed: "integers 0..<\(channelCount)"))
            }
            guard v >= 0, v < Double(channelCount) else {
                throw DatasetError(.corrupt, path: path, "spikes/units[\(i)][\(k)] = \(String(format: "%.0f", v)) is outside 0..<\(channelCount) channels")
            }
            u[k] = Int32(v)
        }
        for k in t.indices {
            if !(t[k] >= 0) || !t[k].isFinite {
                throw DatasetError(.corrupt, path: path, "spikes/times[\(i)][\(k)] = \(t[k]) is negative or not finite (allowed: 0...\(maxSpikeTime) s)")
            }
            if t[k] > maxSpikeTime {
                throw DatasetError(.corrupt, path: path, "spikes/times[\(i)][\(k)] = \(t[k]) s is beyond the longest plausible recording (allowed: 0...\(maxSpikeTime) s)")
            }
            if k > 0 && t[k] < t[k - 1] {
                throw DatasetError(.corrupt, path: path, "spikes/times[\(i)] is not non-decreasing at index \(k) (\(t[k - 1]) then \(t[k]))")
            }
        }
        return SHDSample(times: t, units: u, label: labels[i])
    }
}
