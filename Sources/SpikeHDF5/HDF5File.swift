import CHDF5
import Foundation

/// An open HDF5 file: the thin shared wrapper over the C library that NIR (and later SHD) files go through.
///
/// Reading: `HDF5File.read(url) { root in ... }` with `HDF5Group`'s readers. Writing: `HDF5File.write(to:)` builds
/// the file under a temporary name and renames it when the closure returns, so a failure never leaves a
/// partial file. The library's own error printing is silenced; every failure throws ``HDF5Error`` naming the file
/// and the object path.
public final class HDF5File {
    let id: hid_t
    /// The path the file was opened from (or will be renamed to).
    public let path: String
    /// The most elements one dataset read may allocate: a corrupt (or hostile) file may declare any shape, and
    /// compression lets a small file expand only so far (deflate at most ~1,000×), so the cap follows the file's size.
    let elementLimit: Int

    /// Opens `url` read-only and hands its root group to `body`, holding ``hdf5Lock`` throughout (the isolated
    /// probe forks; no other thread may be inside HDF5 then). Before HDF5 opens the file, ``HDF5Preflight`` checks
    /// its local heaps and reads every object once in a forked child, so that a corrupt file ends in an error
    /// instead of a crash inside the C library.
    /// - Throws: ``HDF5Error`` `.cannotOpen` when the file is absent or not HDF5, `.corrupt` when the checks fail,
    ///   and whatever `body` throws.
    public static func read<T>(_ url: URL, _ body: (HDF5Group) throws -> T) throws -> T {
        try withHDF5Lock {
            let file = try HDF5File(reading: url)
            return try body(file.root)
        }
    }

    private init(reading url: URL) throws {
        spikeloop_h5_silence_errors()
        path = url.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw HDF5Error(.cannotOpen, file: path, object: "/", "no such file")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int ?? 0
        elementLimit = Self.elementLimit(fileSize: size)
        try HDF5Preflight.checkLocalHeaps(path, fileSize: size)
        try HDF5Preflight.probeEverything(path, fileSize: size, maxElements: elementLimit)
        let f = H5Fopen(path, spikeloop_h5f_acc_rdonly(), spikeloop_h5p_default())
        guard f >= 0 else { throw HDF5Error(.cannotOpen, file: path, object: "/", "not an HDF5 file (H5Fopen failed)") }
        id = f
    }

    /// `min(2^26, 2^17 + 1,100 × fileSize / 8)` elements: 512 MiB as `Double` at most, and no more than deflate could
    /// have packed into the file (plus 1 MiB of slack for tiny files).
    static func elementLimit(fileSize: Int) -> Int {
        let (expanded, overflow) = max(0, fileSize).multipliedReportingOverflow(by: 1_100)
        return min(1 << 26, (1 << 17) + (overflow ? Int.max / 16 : expanded / 8))
    }

    private init(creatingAt tmp: String, reportedAs path: String) throws {
        spikeloop_h5_silence_errors()
        self.path = path
        elementLimit = 1 << 26
        let f = H5Fcreate(tmp, spikeloop_h5f_acc_trunc(), spikeloop_h5p_default(), spikeloop_h5p_default())
        guard f >= 0 else { throw HDF5Error(.cannotOpen, file: path, object: "/", "cannot create \(tmp)") }
        id = f
    }

    deinit { withHDF5Lock { _ = H5Fclose(id) } }

    /// Creates the file, lets `body` fill it and flushes it; the file is released when this returns.
    private static func fill(_ tmp: String, reportedAs path: String, _ body: (HDF5Group) throws -> Void) throws {
        let file = try HDF5File(creatingAt: tmp, reportedAs: path)
        try body(file.root)
        guard H5Fflush(file.id, H5F_SCOPE_GLOBAL) >= 0 else {
            throw HDF5Error(.io, file: path, object: "/", "flushing failed")
        }
    }

    /// The root group `/`.
    public var root: HDF5Group { HDF5Group(file: self, id: H5Gopen2(id, "/", spikeloop_h5p_default()), path: "/") }

    /// Creates `url` atomically: `body` fills the root group of a file written under a temporary name in the same
    /// folder, which is renamed over `url` once `body` returns and the file is closed.
    public static func write(to url: URL, _ body: (HDF5Group) throws -> Void) throws {
        let tmp = url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try withHDF5Lock { try fill(tmp.path, reportedAs: url.path, body) }
            if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
            try FileManager.default.moveItem(at: tmp, to: url)
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
    }
}

/// A group inside an open ``HDF5File``: list, open and create members; read and write datasets.
public final class HDF5Group {
    let file: HDF5File
    let id: hid_t
    /// The group's path inside the file (`/node/nodes`).
    public let path: String

    init(file: HDF5File, id: hid_t, path: String) {
        self.file = file
        self.id = id
        self.path = path
    }

    deinit { if id >= 0 { withHDF5Lock { _ = H5Gclose(id) } } }

    func childPath(_ name: String) -> String { path == "/" ? "/\(name)" : "\(path)/\(name)" }

    func error(_ code: HDF5Error.Code, _ name: String?, _ message: String) -> HDF5Error {
        HDF5Error(code, file: file.path, object: name.map(childPath) ?? path, message)
    }

    /// The names of the group's members (groups and datasets), in the file's name order.
    public func memberNames() throws -> [String] {
        var info = H5G_info_t()
        guard H5Gget_info(id, &info) >= 0 else { throw error(.io, nil, "cannot list the group") }
        var names: [String] = []
        for k in 0..<info.nlinks {
            let n = H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, k, nil, 0, spikeloop_h5p_default())
            guard n >= 0 else { throw error(.io, nil, "cannot read member \(k)'s name") }
            var buf = [CChar](repeating: 0, count: Int(n) + 1)
            H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, k, &buf, Int(n) + 1, spikeloop_h5p_default())
            names.append(String(cString: buf))
        }
        return names
    }

    /// Whether a member called `name` exists (a single path component).
    public func contains(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("/") && H5Lexists(id, name, spikeloop_h5p_default()) > 0
    }

    /// Whether member `name` is a group (false when it is a dataset or absent).
    public func isGroup(_ name: String) -> Bool {
        guard contains(name) else { return false }
        let o = H5Oopen(id, name, spikeloop_h5p_default())
        guard o >= 0 else { return false }
        defer { H5Oclose(o) }
        return H5Iget_type(o) == H5I_GROUP
    }

    /// Opens the sub-group `name`.
    /// - Throws: ``HDF5Error`` `.missing` or `.wrongType` naming the object.
    public func group(_ name: String) throws -> HDF5Group {
        guard contains(name) else { throw error(.missing, name, "no such group") }
        guard isGroup(name) else { throw error(.wrongType, name, "is a dataset, expected a group") }
        let g = H5Gopen2(id, name, spikeloop_h5p_default())
        guard g >= 0 else { throw error(.io, name, "cannot open the group") }
        return HDF5Group(file: file, id: g, path: childPath(name))
    }

    /// Creates the sub-group `name` (names may contain dots; not slashes).
    public func createGroup(_ name: String) throws -> HDF5Group {
        guard !name.isEmpty, !name.contains("/") else {
            throw error(.wrongType, name, "a group name must be non-empty and contain no '/'")
        }
        let g = H5Gcreate2(id, name, spikeloop_h5p_default(), spikeloop_h5p_default(), spikeloop_h5p_default())
        guard g >= 0 else { throw error(.io, name, "cannot create the group (does it exist already?)") }
        return HDF5Group(file: file, id: g, path: childPath(name))
    }
}
