import CHDF5
import Foundation

/// Serializes HDF5 calls across SpikeLoop's readers and writers (SHD, NIR). HDF5 serializes them anyway
/// (thread-safe build); holding this lock as well guarantees that the isolated probe never forks while another
/// thread is inside HDF5 (the child would inherit a held library lock and stall).
package let hdf5Lock = NSRecursiveLock()

/// Runs `body` holding ``hdf5Lock``.
@inline(__always)
package func withHDF5Lock<T>(_ body: () throws -> T) rethrows -> T {
    hdf5Lock.lock()
    defer { hdf5Lock.unlock() }
    return try body()
}

/// Checks that run before HDF5 opens an untrusted file. HDF5 1.10 trusts the sizes in a file's metadata; a corrupt
/// file can make it write past a buffer inside the C library, which no check in Swift can intercept afterwards.
package enum HDF5Preflight {
    /// Seconds the isolated probe may take before the file is reported as hanging HDF5.
    package static let probeTimeout: UInt32 = 60

    /// Checks every local heap (the name tables of groups) before HDF5 loads one: HDF5 1.10 allocates the data
    /// size a heap declares without checking it against the file, then copies into the (overflowed) buffer. Heaps
    /// are found by their 8-byte header (`HEAP`, version 0, three zero bytes; spec §III.D); the data segment must
    /// lie inside the file. Only the superblock's address and length sizes are read, so this runs before H5Fopen.
    package static func checkLocalHeaps(_ path: String, fileSize: Int) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let block = 1 << 20
        var buffer = [UInt8](repeating: 0, count: block + 64)
        // Sizes of offsets and lengths from the superblock (version 0/1: bytes 13/14; version 2/3: bytes 9/10).
        var sizeofAddr = 8, sizeofSize = 8
        var head = [UInt8](repeating: 0, count: 16)
        if pread(fd, &head, 16, 0) == 16, head[0...7] == [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A] {
            let v = head[8]
            (sizeofAddr, sizeofSize) = v < 2 ? (Int(head[13]), Int(head[14])) : (Int(head[9]), Int(head[10]))
            guard [2, 4, 8].contains(sizeofAddr), [2, 4, 8].contains(sizeofSize) else { return }
        }
        let headerBytes = 8 + 2 * sizeofSize + sizeofAddr
        var offset = 0
        while offset < fileSize {
            let want = min(block + headerBytes, fileSize - offset)
            let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(offset)) }
            guard got > 0 else { return }
            // memchr finds the 8-byte header quickly in debug builds too (a 130 MB SHD file is scanned in ~0.1 s).
            let signature: [UInt8] = [0x48, 0x45, 0x41, 0x50, 0, 0, 0, 0]
            var i = 0
            while i + headerBytes <= got && i < block {
                let next: Int? = buffer.withUnsafeBytes { b in
                    var from = i
                    while from + 8 <= got, let h = memchr(b.baseAddress! + from, 0x48, got - from) {
                        let at = UnsafeRawPointer(h) - UnsafeRawPointer(b.baseAddress!)
                        if at + 8 <= got, memcmp(b.baseAddress! + at, signature, 8) == 0 { return at }
                        from = at + 1
                    }
                    return nil
                }
                guard let hit = next else { break }
                i = hit
                if i + headerBytes <= got && i < block {
                    func field(_ at: Int, _ width: Int) -> UInt64 {
                        var v: UInt64 = 0
                        for k in 0..<width { v |= UInt64(buffer[i + at + k]) << (8 * UInt64(k)) }
                        return v
                    }
                    let size = field(8, sizeofSize)
                    let address = field(8 + 2 * sizeofSize, sizeofAddr)
                    guard size <= UInt64(fileSize), address <= UInt64(fileSize) - size else {
                        throw HDF5Error(
                            .corrupt, file: path, object: "/",
                            "the local heap (group name table) at byte \(offset + i) declares \(size) bytes at address \(address), beyond the \(fileSize)-byte file")
                    }
                }
                i += 1
            }
            offset += block
        }
    }

    /// Walks the file's HDF5 metadata in a forked child (`spikeloop_h5_probe_isolated`) and throws if HDF5 crashed
    /// or hung there. Falls back to no probe when the process cannot fork.

    /// Opens the file and reads every object in it in a forked child (`spikeloop_h5_probe_isolated`), and throws if
    /// HDF5 crashed or hung there; the caller then reads the file in this process. Falls back to no probe when the
    /// process cannot fork. `maxElements`: larger datasets are not read (the readers refuse them).
    /// A corrupt file can send HDF5 into an endless loop; reading a sound one takes well under a second per 20 MB,
    /// so the child gets 5 s plus one second per 20 MB (at most ``probeTimeout``).
    package static func probeEverything(_ path: String, fileSize: Int, maxElements: Int) throws {
        let seconds = UInt32(min(Int(probeTimeout), 5 + max(0, fileSize) / 20_000_000))
        try probe(path, mode: Int32(SPIKELOOP_H5_PROBE_EVERYTHING), limit: UInt64(max(0, maxElements)), timeout: seconds)
    }

    /// The same for an SHD file: only its datasets' metadata, walking at most `maxRows` rows of chunk index.
    package static func probeSHD(_ path: String, maxRows: Int) throws {
        try probe(path, mode: Int32(SPIKELOOP_H5_PROBE_SHD), limit: UInt64(max(0, maxRows)), timeout: probeTimeout)
    }

    private static let probeBudgetDescription = "memory"

    private static func probe(_ path: String, mode: Int32, limit: UInt64, timeout: UInt32) throws {
        let r = withHDF5Lock { spikeloop_h5_probe_isolated(path, mode, limit, timeout) }
        switch r {
        case 0, -2:
            return
        case -3:
            throw HDF5Error(
                .corrupt, file: path, object: "/",
                "a dataset declares more data than its file can hold (HDF5 ran out of the \(probeBudgetDescription) budget reading it): the file is corrupt")
        case -1:
            throw HDF5Error(
                .corrupt, file: path, object: "/",
                "reading the file's HDF5 structure did not finish within \(timeout) s: its metadata is corrupt (a loop)")
        default:
            throw HDF5Error(
                .corrupt, file: path, object: "/",
                "the HDF5 library crashed (signal \(r)) reading the file (object headers, heaps, B-trees or data): the file is corrupt")
        }
    }
}
