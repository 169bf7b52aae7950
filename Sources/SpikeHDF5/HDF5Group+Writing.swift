import CHDF5
import Foundation

/// How a written dataset is stored.
public enum HDF5Compression: Sendable, Equatable {
    /// Contiguous, uncompressed.
    case none
    /// Chunked (one chunk) with the deflate filter at `level` 0…9; h5py's `compression="gzip"` uses level 4.
    case gzip(level: Int)
}

extension HDF5Group {
    private func dataspace(_ shape: [Int]) -> hid_t {
        if shape.isEmpty { return H5Screate(H5S_SCALAR) }
        var dims = shape.map { hsize_t($0) }
        return H5Screate_simple(Int32(shape.count), &dims, nil)
    }

    private func creationList(_ shape: [Int], _ compression: HDF5Compression) -> hid_t {
        let plist = H5Pcreate(spikeloop_h5p_dataset_create())
        if case .gzip(let level) = compression, !shape.isEmpty, !shape.contains(0) {
            var chunk = shape.map { hsize_t($0) }
            H5Pset_chunk(plist, Int32(shape.count), &chunk)
            H5Pset_deflate(plist, UInt32(max(0, min(9, level))))
        }
        return plist
    }

    private func writeRaw(
        _ name: String, shape: [Int], fileType: hid_t, memoryType: hid_t, compression: HDF5Compression,
        _ bytes: UnsafeRawPointer?
    ) throws {
        guard !name.isEmpty, !name.contains("/") else {
            throw error(.wrongType, name, "a dataset name must be non-empty and contain no '/'")
        }
        let space = dataspace(shape)
        defer { H5Sclose(space) }
        let plist = creationList(shape, compression)
        defer { H5Pclose(plist) }
        let d = H5Dcreate2(id, name, fileType, space, spikeloop_h5p_default(), plist, spikeloop_h5p_default())
        guard d >= 0 else { throw error(.io, name, "cannot create the dataset (does it exist already?)") }
        defer { H5Dclose(d) }
        if shape.reduce(1, *) > 0 {
            guard H5Dwrite(d, memoryType, spikeloop_h5s_all(), spikeloop_h5s_all(), spikeloop_h5p_default(), bytes) >= 0
            else {
                throw error(.io, name, "writing failed")
            }
        }
    }

    /// Writes `values` (row-major, `shape` empty for a scalar) as IEEE float32.
    public func write(_ name: String, shape: [Int], float32 values: [Float], compression: HDF5Compression = .none)
        throws
    {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values do not fill shape \(shape)")
        try values.withUnsafeBytes {
            try writeRaw(
                name, shape: shape, fileType: spikeloop_h5_ieee_f32le(), memoryType: spikeloop_h5_native_float(),
                compression: compression, $0.baseAddress)
        }
    }

    /// Writes `values` as IEEE float64.
    public func write(_ name: String, shape: [Int], float64 values: [Double], compression: HDF5Compression = .none)
        throws
    {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values do not fill shape \(shape)")
        try values.withUnsafeBytes {
            try writeRaw(
                name, shape: shape, fileType: spikeloop_h5_ieee_f64le(), memoryType: spikeloop_h5_native_double(),
                compression: compression, $0.baseAddress)
        }
    }

    /// Writes `values` as little-endian int64 (NumPy's default integer, which is what h5py writes for shapes).
    public func write(_ name: String, shape: [Int], int64 values: [Int64], compression: HDF5Compression = .none) throws
    {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values do not fill shape \(shape)")
        try values.withUnsafeBytes {
            try writeRaw(
                name, shape: shape, fileType: spikeloop_h5_std_i64le(), memoryType: spikeloop_h5_native_int64(),
                compression: compression, $0.baseAddress)
        }
    }

    /// Writes variable-length UTF-8 strings (h5py's `string_dtype()`), uncompressed; `shape` empty for a scalar.
    public func write(_ name: String, shape: [Int], strings values: [String]) throws {
        precondition(values.count == shape.reduce(1, *), "\(values.count) strings do not fill shape \(shape)")
        let t = H5Tcopy(spikeloop_h5_c_s1())
        defer { H5Tclose(t) }
        H5Tset_size(t, spikeloop_h5t_variable())
        H5Tset_cset(t, H5T_CSET_UTF8)
        let cstrings = values.map { strdup($0) }
        defer { for p in cstrings { free(p) } }
        var ptrs = cstrings.map { UnsafePointer($0) }
        try ptrs.withUnsafeMutableBytes {
            try writeRaw(name, shape: shape, fileType: t, memoryType: t, compression: .none, $0.baseAddress)
        }
    }

    /// Writes one scalar variable-length UTF-8 string.
    public func write(_ name: String, string: String) throws {
        try write(name, shape: [], strings: [string])
    }
}
