import CHDF5
import Foundation

/// The class of a dataset's element type, as far as SpikeLoop's files need it.
public enum HDF5ElementClass: Sendable, Equatable {
    /// Integers of `bytes` bytes (signed or not).
    case integer(bytes: Int)
    /// IEEE floats of `bytes` bytes (4: float32, 8: float64).
    case float(bytes: Int)
    /// Variable-length or fixed-length strings.
    case string
    /// Anything else (compound, enum, references…), with HDF5's class number.
    case other(Int32)
}

/// A dataset read into memory: its shape (empty for a scalar) and its row-major values.
public struct HDF5Array<Element> {
    public var shape: [Int]
    public var values: [Element]

    public init(shape: [Int], values: [Element]) {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values do not fill shape \(shape)")
        self.shape = shape
        self.values = values
    }
}

extension HDF5Array: Equatable where Element: Equatable {}
extension HDF5Array: Sendable where Element: Sendable {}

extension HDF5Group {
    private func openDataset(_ name: String) throws -> hid_t {
        guard contains(name) else { throw error(.missing, name, "no such dataset") }
        guard !isGroup(name) else { throw error(.wrongType, name, "is a group, expected a dataset") }
        let d = H5Dopen2(id, name, spikeloop_h5p_default())
        guard d >= 0 else { throw error(.io, name, "cannot open the dataset") }
        return d
    }

    private func shape(of d: hid_t, _ name: String) throws -> [Int] {
        let space = H5Dget_space(d)
        defer { H5Sclose(space) }
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank >= 0 else { throw error(.io, name, "cannot read the dataspace") }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        H5Sget_simple_extent_dims(space, &dims, nil)
        // A corrupt file may declare any size: refuse what overflows or exceeds the cap before allocating.
        var count = 1
        for d in dims {
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(clamping: d))
            guard !overflow, product <= file.elementLimit else {
                throw error(
                    .wrongType, name,
                    "declares shape \(dims), more than the \(file.elementLimit) elements a file of this size can hold")
            }
            count = product
        }
        return dims.map { Int($0) }
    }

    /// The element class of dataset `name`.
    public func elementClass(_ name: String) throws -> HDF5ElementClass {
        let d = try openDataset(name)
        defer { H5Dclose(d) }
        let t = H5Dget_type(d)
        defer { H5Tclose(t) }
        switch H5Tget_class(t) {
        case H5T_INTEGER: return .integer(bytes: H5Tget_size(t))
        case H5T_FLOAT: return .float(bytes: H5Tget_size(t))
        case H5T_STRING: return .string
        case let c: return .other(c.rawValue)
        }
    }

    private func readNumbers<T>(_ name: String, memoryType: hid_t, zero: T) throws -> HDF5Array<T> {
        let d = try openDataset(name)
        defer { H5Dclose(d) }
        let t = H5Dget_type(d)
        defer { H5Tclose(t) }
        let cls = H5Tget_class(t)
        guard cls == H5T_INTEGER || cls == H5T_FLOAT else {
            throw error(
                .wrongType, name,
                "holds \(cls == H5T_STRING ? "strings" : "HDF5 class \(cls.rawValue)"), expected numbers")
        }
        let shape = try shape(of: d, name)
        var out = [T](repeating: zero, count: shape.reduce(1, *))
        if !out.isEmpty {
            let r = out.withUnsafeMutableBytes {
                H5Dread(
                    d, memoryType, spikeloop_h5s_all(), spikeloop_h5s_all(), spikeloop_h5p_default(), $0.baseAddress)
            }
            guard r >= 0 else { throw error(.io, name, "reading failed (corrupt data or an unavailable filter)") }
        }
        return HDF5Array(shape: shape, values: out)
    }

    /// Reads a numeric dataset (any integer or float type; gzip-compressed or plain) as `Double`.
    public func readDoubles(_ name: String) throws -> HDF5Array<Double> {
        try readNumbers(name, memoryType: spikeloop_h5_native_double(), zero: 0)
    }

    /// Reads a numeric dataset as `Int64` (floats are truncated by HDF5's conversion; check the class first).
    public func readInt64s(_ name: String) throws -> HDF5Array<Int64> {
        try readNumbers(name, memoryType: spikeloop_h5_native_int64(), zero: 0)
    }

    /// Reads a dataset of strings, variable-length (h5py's `string_dtype()`) or fixed-length (NumPy `S`).
    public func readStrings(_ name: String) throws -> HDF5Array<String> {
        let d = try openDataset(name)
        defer { H5Dclose(d) }
        let t = H5Dget_type(d)
        defer { H5Tclose(t) }
        guard H5Tget_class(t) == H5T_STRING else { throw error(.wrongType, name, "holds numbers, expected strings") }
        let shape = try shape(of: d, name)
        let n = shape.reduce(1, *)
        let mem = H5Tcopy(spikeloop_h5_c_s1())
        defer { H5Tclose(mem) }
        var strings: [String] = []
        if H5Tis_variable_str(t) > 0 {
            H5Tset_size(mem, spikeloop_h5t_variable())
            H5Tset_cset(mem, H5Tget_cset(t))
            var ptrs = [UnsafeMutablePointer<CChar>?](repeating: nil, count: n)
            guard H5Dread(d, mem, spikeloop_h5s_all(), spikeloop_h5s_all(), spikeloop_h5p_default(), &ptrs) >= 0 else {
                throw error(.io, name, "reading strings failed")
            }
            strings = ptrs.map { $0.map { String(cString: $0) } ?? "" }
            for p in ptrs { free(p) }
        } else {
            let size = H5Tget_size(t)
            H5Tset_size(mem, size)
            var buf = [CChar](repeating: 0, count: n * size + 1)
            guard H5Dread(d, mem, spikeloop_h5s_all(), spikeloop_h5s_all(), spikeloop_h5p_default(), &buf) >= 0 else {
                throw error(.io, name, "reading strings failed")
            }
            strings = (0..<n).map { k in
                let bytes = buf[(k * size)..<((k + 1) * size)].prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
                return String(decoding: bytes, as: UTF8.self)
            }
        }
        return HDF5Array(shape: shape, values: strings)
    }

    /// Reads a scalar (or one-element) string dataset.
    public func readString(_ name: String) throws -> String {
        let a = try readStrings(name)
        guard a.values.count == 1 else {
            throw error(.wrongType, name, "holds \(a.values.count) strings, expected one")
        }
        return a.values[0]
    }
}
