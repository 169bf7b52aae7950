import CHDF5
import CZlib
import Foundation
import SpikeCore
import SpikeHDF5

/// Checks a variable-length dataset's on-disk descriptors against the global heap before HDF5 dereferences them.
///
/// HDF5 1.10 trusts both: when it reads a sample it sizes its buffer from the descriptor's sequence length but
/// copies the heap object's recorded size into it (`H5HG_read`), and it indexes the heap's object table with the
/// descriptor's index unchecked. A file whose descriptor and heap disagree (one flipped byte) overwrites memory
/// inside the C library; byte-flip fuzzing of SHD files crashed in `H5HG_read` within 40 iterations. So before
/// each sample is read this guard decodes its descriptor (4-byte length, heap collection address, 4-byte object
/// index; HDF5 file format spec §III.E and §IV.B), walks the collection exactly as HDF5 will (header, 16-byte object
/// headers, 8-byte alignment) and requires the object to exist with `size = length × element size`, every object
/// to lie inside its collection and the collection inside the file.
///
/// Supported storage: contiguous, chunked (raw, deflate, shuffle, fletcher32) and unallocated; compact and virtual
/// datasets are refused, since their raw descriptors cannot be read without the library.
final class VlenHeapGuard: @unchecked Sendable {
    let path: String
    let name: String
    private let dataset: hid_t
    private let fd: Int32
    private let fileSize: Int
    private let sizeofAddr: Int
    private let sizeofSize: Int
    private let base: Int
    private let descriptorSize: Int
    private let elementSize: Int
    private enum Storage {
        case unallocated
        case contiguous(offset: Int)
        case chunked(rows: Int, filters: [Int32])
    }
    private let storage: Storage
    private let lock = NSLock()
    /// Collection address → object index → object size, for collections already walked.
    private var collections: [Int: [Int: Int]] = [:]
    private var chunk: (index: Int, bytes: [UInt8])?

    init(dataset: hid_t, file: hid_t, fd: Int32, fileSize: Int, path: String, name: String, count: Int) throws {
        self.path = path
        self.name = name
        self.dataset = dataset
        self.fd = fd
        self.fileSize = fileSize
        func fail(_ m: String) -> DatasetError { DatasetError(.corrupt, path: path, "dataset '\(name)': \(m)") }
        let fcpl = H5Fget_create_plist(file)
        defer { H5Pclose(fcpl) }
        var sa = 0, ss = 0
        var userblock: hsize_t = 0
        guard H5Pget_sizes(fcpl, &sa, &ss) >= 0, H5Pget_userblock(fcpl, &userblock) >= 0, [2, 4, 8].contains(sa), [2, 4, 8].contains(ss) else {
            throw fail("unreadable file address sizes")
        }
        (sizeofAddr, sizeofSize) = (sa, ss)
        guard userblock < UInt64(fileSize) else { throw fail("user block of \(userblock) bytes is beyond the file") }
        base = Int(userblock)
        descriptorSize = 4 + sa + 4
        let type = H5Dget_type(dataset)
        defer { H5Tclose(type) }
        let superType = H5Tget_super(type)
        defer { H5Tclose(superType) }
        elementSize = H5Tget_size(superType)
        guard (1...16).contains(elementSize) else { throw fail("element size \(elementSize) bytes is not a number type") }
        let dcpl = H5Dget_create_plist(dataset)
        defer { H5Pclose(dcpl) }
        let layout = H5Pget_layout(dcpl)
        let descriptorBytes = 4 + sa + 4
        let need = try datasetChecks { try InputCheck(source: path).multiply(count, descriptorBytes, field: "dataset '\(name)' descriptors") }
        if layout == H5D_COMPACT || layout == H5D_VIRTUAL || (layout != H5D_CONTIGUOUS && layout != H5D_CHUNKED) {
            throw fail("stored with layout \(layout.rawValue) (compact or virtual); supported: contiguous or chunked")
        } else if H5Dget_storage_size(dataset) == 0 {
            storage = .unallocated
        } else if layout == H5D_CONTIGUOUS {
            try SHDFile.checkContiguousStorage(dataset, count: count, elementSize: descriptorBytes, fileSize: fileSize, name: name, path: path)
            let offset = H5Dget_offset(dataset)
            guard offset != UInt64.max, offset < UInt64(fileSize), Int(offset) <= fileSize - need else {
                throw fail("its \(count) descriptors (\(need) bytes) at offset \(offset) lie beyond the end of the \(fileSize)-byte file")
            }
            storage = .contiguous(offset: Int(offset))
        } else if layout == H5D_CHUNKED {
            var rows: hsize_t = 0
            guard H5Pget_chunk(dcpl, 1, &rows) == 1, rows > 0, rows <= 1 << 24 else { throw fail("unsupported chunk shape") }
            var filters: [Int32] = []
            for k in 0..<max(0, H5Pget_nfilters(dcpl)) {
                var flags: UInt32 = 0, n = 0
                var cd = [UInt32](repeating: 0, count: 8)
                var config: UInt32 = 0
                let id = H5Pget_filter2(dcpl, UInt32(k), &flags, &n, &cd, 0, nil, &config)
                guard [H5Z_FILTER_DEFLATE, H5Z_FILTER_SHUFFLE, H5Z_FILTER_FLETCHER32].contains(id) else {
                    throw fail("compressed with HDF5 filter \(id); supported: deflate (gzip), shuffle, fletcher32")
                }
                filters.append(id)
            }
            storage = .chunked(rows: Int(rows), filters: filters)
        } else {
            throw fail("stored with layout \(layout.rawValue) (compact or virtual); supported: contiguous or chunked")
        }
    }

    private func read(_ offset: Int, _ count: Int, what: String) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= fileSize, count <= fileSize - offset else {
            throw DatasetError(.corrupt, path: path, "dataset '\(name)': \(what) at offset \(offset) (\(count) bytes) lies beyond the end of the \(fileSize)-byte file")
        }
        var out = [UInt8](repeating: 0, count: count)
        let got = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
        guard got == count else { throw DatasetError(.unreadable, path: path, "cannot read \(what): \(String(cString: strerror(errno)))") }
        return out
    }

    private func decode(_ b: [UInt8], _ at: Int, _ width: Int) -> Int {
        var v: UInt64 = 0
        for k in 0..<width { v |= UInt64(b[at + k]) << (8 * UInt64(k)) }
        return v > UInt64(Int.max) ? Int.max : Int(v)
    }

    /// The raw descriptor bytes of sample `i`, or nil when its storage was never written (fill value: empty).
    private func descriptor(_ i: Int) throws -> [UInt8]? {
        switch storage {
        case .unallocated:
            return nil
        case .contiguous(let offset):
            return try read(offset + i * descriptorSize, descriptorSize, what: "descriptor \(i)")
        case .chunked(let rows, let filters):
            let c = i / rows
            if chunk?.index != c {
                var start = hsize_t(c * rows)
                var stored: hsize_t = 0
                guard H5Dget_chunk_storage_size(dataset, &start, &stored) >= 0, stored > 0 else { return nil }
                guard stored <= UInt64(fileSize) else { throw DatasetError(.corrupt, path: path, "dataset '\(name)': chunk \(c) declares \(stored) bytes, more than the file") }
                var raw = [UInt8](repeating: 0, count: Int(stored))
                var mask: UInt32 = 0
                guard raw.withUnsafeMutableBytes({ H5Dread_chunk(dataset, spikeloop_h5p_default(), &start, &mask, $0.baseAddress) }) >= 0 else {
                    throw DatasetError(.corrupt, path: path, "dataset '\(name)': cannot read chunk \(c)")
                }
                raw = try unfilter(raw, filters: filters, mask: mask, expected: rows * descriptorSize, chunk: c)
                chunk = (c, raw)
            }
            let at = (i % rows) * descriptorSize
            return Array(chunk!.bytes[at..<(at + descriptorSize)])
        }
    }

    /// Undoes the filter pipeline (in reverse order) on one chunk; filters flagged in `mask` were skipped on write.
    private func unfilter(_ raw: [UInt8], filters: [Int32], mask: UInt32, expected: Int, chunk c: Int) throws -> [UInt8] {
        var data = raw
        func fail(_ m: String) -> DatasetError { DatasetError(.corrupt, path: path, "dataset '\(name)' chunk \(c): \(m)") }
        for (k, id) in filters.enumerated().reversed() where mask & (1 << UInt32(k)) == 0 {
            switch id {
            case H5Z_FILTER_FLETCHER32:
                guard data.count >= 4 else { throw fail("too short for its checksum") }
                data.removeLast(4)
            case H5Z_FILTER_SHUFFLE:
                let n = data.count / descriptorSize
                guard n * descriptorSize == data.count else { throw fail("\(data.count) bytes are not whole descriptors") }
                var out = data
                for i in 0..<n { for b in 0..<descriptorSize { out[i * descriptorSize + b] = data[b * n + i] } }
                data = out
            default:
                var out = [UInt8](repeating: 0, count: expected)
                var outLen = uLongf(expected)
                let r = out.withUnsafeMutableBufferPointer { o in
                    data.withUnsafeBufferPointer { uncompress(o.baseAddress, &outLen, $0.baseAddress, uLong($0.count)) }
                }
                guard r == Z_OK, Int(outLen) == expected else { throw fail("deflate data does not decompress to \(expected) bytes") }
                data = out
            }
        }
        guard data.count >= expected else { throw fail("holds \(data.count) bytes, \(expected) expected") }
        return data
    }

    /// Walks the global heap collection at `address` as HDF5's `H5HG__cache_heap_deserialize` does.
    private func collection(_ address: Int) throws -> [Int: Int] {
        if let c = collections[address] { return c }
        func fail(_ m: String) -> DatasetError { DatasetError(.corrupt, path: path, "dataset '\(name)': global heap collection at \(address): \(m)") }
        let headerSize = (4 + 1 + 3 + sizeofSize + 7) / 8 * 8
        let head = try read(base + address, 8 + sizeofSize, what: "global heap collection header")
        guard head[0...3] == [0x47, 0x43, 0x4F, 0x4C] /* GCOL */, head[4] == 1 else { throw fail("bad signature or version") }
        let size = decode(head, 8, sizeofSize)
        guard size >= headerSize, size <= fileSize else { throw fail("size \(size) is impossible in a \(fileSize)-byte file") }
        let heap = try read(base + address, size, what: "global heap collection")
        let objectHeader = 2 + 2 + 4 + sizeofSize
        var objects: [Int: Int] = [:]
        var p = headerSize
        while p < size {
            if p + objectHeader > size { p = size; break }  // a tail too small for a header is free space
            let index = decode(heap, p, 2)
            let objectSize = decode(heap, p + 8, sizeofSize)
            guard objectSize <= size - p else {
                throw fail("object \(index) of \(objectSize) bytes runs past the collection's \(size) bytes")
            }
            let need = index > 0 ? objectHeader + (objectSize + 7) / 8 * 8 : objectSize
            guard need <= size - p else {
                throw fail("object \(index) of \(objectSize) bytes runs past the collection's \(size) bytes")
            }
            if index > 0 { objects[index] = objectSize }
            guard need > 0 else { throw fail("free-space object of size 0 at offset \(p)") }
            p += need
        }
        collections[address] = objects
        return objects
    }

    /// Throws unless HDF5 can read sample `i` of this dataset without trusting a wrong size.
    func verify(_ i: Int) throws {
        lock.lock()
        defer { lock.unlock() }
        guard let d = try descriptor(i) else { return }
        let length = decode(d, 0, 4)
        let address = decode(d, 4, sizeofAddr)
        let index = decode(d, 4 + sizeofAddr, 4)
        let field = "\(name)[\(i)]"
        guard address != 0 else {
            guard length == 0 else { throw DatasetError(.corrupt, path: path, "\(field): declares \(length) values but no heap object holds them") }
            return
        }
        let objects = try collection(address)
        guard let size = objects[index] else {
            throw DatasetError(.corrupt, path: path, "\(field): heap object \(index) does not exist in the collection at \(address)")
        }
        guard size == length * elementSize else {
            throw DatasetError(.corrupt, path: path, "\(field): declares \(length) values of \(elementSize) bytes but its heap object holds \(size) bytes")
        }
    }
}

extension SHDFile {
    /// Throws unless `type` is a plain integer or IEEE-style float (half, single, double) of either byte order.
    ///
    /// HDF5 1.10 converts whatever precision and bit offset a file's type message declares: a flipped byte that makes
    /// a 2-byte integer "200 bits wide" makes `H5T__conv_i_f` read past its buffer. Only the layouts that real
    /// files use are accepted (h5py's float16 included).
    static func checkNumericType(_ type: hid_t, name: String, path: String) throws {
        func fail(_ what: String) -> DatasetError {
            DatasetError(.corrupt, path: path, "dataset '\(name)': element type \(what); supported: 8/16/32/64-bit integers, 16/32/64-bit IEEE floats")
        }
        let size = H5Tget_size(type)
        let precision = H5Tget_precision(type)
        let offset = H5Tget_offset(type)
        let order = H5Tget_order(type)
        guard precision == 8 * size, offset == 0, order == H5T_ORDER_LE || order == H5T_ORDER_BE else {
            throw fail("of \(size) bytes declares \(precision) bits at offset \(offset)")
        }
        switch H5Tget_class(type) {
        case H5T_INTEGER:
            guard [1, 2, 4, 8].contains(size) else { throw fail("is a \(size)-byte integer") }
        case H5T_FLOAT:
            var spos = 0, epos = 0, esize = 0, mpos = 0, msize = 0
            guard H5Tget_fields(type, &spos, &epos, &esize, &mpos, &msize) >= 0 else { throw fail("has unreadable float fields") }
            let layouts: [Int: (Int, Int, Int, Int, Int)] = [2: (15, 10, 5, 0, 10), 4: (31, 23, 8, 0, 23), 8: (63, 52, 11, 0, 52)]
            guard let l = layouts[size], (spos, epos, esize, mpos, msize) == l,
                H5Tget_ebias(type) == (1 << (esize - 1)) - 1, H5Tget_norm(type) == H5T_NORM_IMPLIED
            else { throw fail("is a \(size)-byte float with a non-IEEE layout") }
        default:
            throw fail("is not a number")
        }
    }
}

extension SHDFile {
    /// Throws unless a contiguous dataset's recorded storage (address and size in its layout message) holds exactly
    /// `count` elements of `elementSize` bytes inside the file. HDF5 1.10 reads through its sieve buffer with the
    /// recorded values unchecked: a corrupt address or size makes it copy from outside its buffers.
    static func checkContiguousStorage(_ d: hid_t, count: Int, elementSize: Int, fileSize: Int, name: String, path: String) throws {
        let dcpl = H5Dget_create_plist(d)
        defer { H5Pclose(dcpl) }
        let layout = H5Pget_layout(dcpl)
        let stored = H5Dget_storage_size(d)
        let need = try datasetChecks { try InputCheck(source: path).multiply(count, elementSize, field: "dataset '\(name)' storage") }
        switch layout {
        case H5D_CHUNKED:
            return  // located through its B-tree, which the structure probe has walked
        case H5D_COMPACT:
            // stored inside the object header; a corrupt layout class or size makes HDF5 copy from a short buffer
            guard stored == UInt64(need) else {
                throw DatasetError(.corrupt, path: path, "dataset '\(name)': its compact storage records \(stored) bytes; \(count) elements of \(elementSize) bytes need \(need)")
            }
            return
        case H5D_CONTIGUOUS:
            break
        default:
            throw DatasetError(.corrupt, path: path, "dataset '\(name)': storage layout \(layout.rawValue) is not supported (contiguous, chunked or compact)")
        }
        guard stored != 0 else { return }  // never written: HDF5 returns fill values without reading
        let offset = UInt64(H5Dget_offset(d))
        guard stored == UInt64(need), offset != UInt64.max, offset <= UInt64(fileSize), UInt64(need) <= UInt64(fileSize) - offset else {
            throw DatasetError(
                .corrupt, path: path,
                "dataset '\(name)': its storage records \(stored) bytes at offset \(offset); \(count) elements of \(elementSize) bytes need \(need) bytes inside the \(fileSize)-byte file")
        }
    }

    /// Runs HDF5Preflight's checks (local heaps; the isolated SHD probe) and reports failures as `DatasetError`.
    static func preflight(_ path: String, fileSize: Int) throws {
        do {
            try HDF5Preflight.checkLocalHeaps(path, fileSize: fileSize)
            try HDF5Preflight.probeSHD(path, maxRows: max(0, fileSize) / 8)
        } catch let e as HDF5Error {
            throw DatasetError(.corrupt, path: path, e.message)
        }
    }
}
