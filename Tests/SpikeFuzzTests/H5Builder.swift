import CHDF5
import Foundation
import SpikeCore

/// Writes arbitrary (also malformed) SHD-like HDF5 layouts through the C API: the SHD writer refuses bad values,
/// so files with negative labels, float units or 10⁸ declared samples are built here.
final class H5Builder {
    let file: hid_t

    init(_ path: String) {
        spikeloop_h5_silence_errors()
        file = H5Fcreate(path, spikeloop_h5f_acc_trunc(), spikeloop_h5p_default(), spikeloop_h5p_default())
        precondition(file >= 0, "test helper cannot create \(path)")
    }

    func close() { H5Fclose(file) }

    func group(_ name: String) { H5Gclose(H5Gcreate2(file, name, spikeloop_h5p_default(), spikeloop_h5p_default(), spikeloop_h5p_default())) }

    /// A one-dimensional variable-length dataset of `values` (memory and file element type `type`).
    func vlen<T>(_ name: String, _ type: hid_t, _ values: [[T]], dcpl: hid_t = spikeloop_h5p_default()) {
        var n = hsize_t(values.count)
        let space = H5Screate_simple(1, &n, nil)
        let vt = H5Tvlen_create(type)
        defer { H5Sclose(space); H5Tclose(vt) }
        let d = H5Dcreate2(file, name, vt, space, spikeloop_h5p_default(), dcpl, spikeloop_h5p_default())
        defer { H5Dclose(d) }
        guard !values.isEmpty else { return }
        let buffers = values.map { v -> UnsafeMutablePointer<T> in
            let p = UnsafeMutablePointer<T>.allocate(capacity: max(1, v.count))
            p.initialize(from: v, count: v.count)
            return p
        }
        defer { for (p, v) in zip(buffers, values) { p.deinitialize(count: v.count); p.deallocate() } }
        var hv = (0..<values.count).map { hvl_t(len: values[$0].count, p: UnsafeMutableRawPointer(buffers[$0])) }
        H5Dwrite(d, vt, spikeloop_h5s_all(), spikeloop_h5s_all(), spikeloop_h5p_default(), &hv)
    }

    /// A dataset of `dims` elements of `type`, written from `values` when given (else left unwritten: fill values).
    func plain<T>(_ name: String, _ type: hid_t, dims: [hsize_t], _ values: [T]?) {
        var dv = dims
        let space = dims.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(dims.count), &dv, nil)
        defer { H5Sclose(space) }
        let d = H5Dcreate2(file, name, type, space, spikeloop_h5p_default(), spikeloop_h5p_default(), spikeloop_h5p_default())
        defer { H5Dclose(d) }
        if var v = values { _ = v.withUnsafeMutableBytes { H5Dwrite(d, type, spikeloop_h5s_all(), spikeloop_h5s_all(), spikeloop_h5p_default(), $0.baseAddress) } }
    }

    /// Variable-length dataset declared with `count` elements and never written.
    func unwrittenVlen(_ name: String, _ type: hid_t, count: hsize_t) {
        var n = count
        let space = H5Screate_simple(1, &n, nil)
        let vt = H5Tvlen_create(type)
        defer { H5Sclose(space); H5Tclose(vt) }
        H5Dclose(H5Dcreate2(file, name, vt, space, spikeloop_h5p_default(), spikeloop_h5p_default(), spikeloop_h5p_default()))
    }
}
