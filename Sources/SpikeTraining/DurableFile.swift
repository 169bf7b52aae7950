import Foundation

/// Durable atomic file writes: a temporary file in the same folder, `fsync(2)`, `rename(2)`, then `fsync` of the
/// folder.
///
/// The rename makes the write atomic (readers see the old or the new file, never a partial one); the two fsyncs
/// make it durable: without the first, a power loss after the rename can leave a renamed but empty file (ext4
/// `data=ordered` with delayed allocation); without the second, the rename itself can be lost. The temporary file
/// in flight is registered so that a signal handler can remove it (``removePendingFromSignalHandler()``), and its
/// name is recognizable (``isTemporaryName(_:)``) so that stale ones from a killed process can be cleaned up.
public enum DurableFile {
    /// `.<name>.tmp-<pid>` in the destination's folder.
    public static func temporaryURL(for url: URL, pid: Int32 = getpid()) -> URL {
        url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(pid)")
    }

    /// Whether a file name has the form of ``temporaryURL(for:pid:)``.
    public static func isTemporaryName(_ name: String) -> Bool {
        guard name.hasPrefix("."), let r = name.range(of: ".tmp-", options: .backwards) else { return false }
        let pid = name[r.upperBound...]
        return !pid.isEmpty && pid.allSatisfy(\.isASCII) && pid.allSatisfy(\.isNumber)
    }

    /// Writes `data` to `url` atomically and durably.
    /// - Throws: `TrainingError.io` naming `url` and the failing system call.
    public static func write(_ data: Data, to url: URL) throws {
        let tmp = temporaryURL(for: url)
        func fail(_ what: String) -> TrainingError {
            TrainingError.io(path: url.path, message: "\(what): \(String(cString: strerror(errno)))")
        }
        Pending.set(tmp.path)
        defer { Pending.clear() }
        let fd = open(tmp.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw fail("cannot write") }
        do {
            try writeAll(data, to: fd, fail: fail)
            guard fsync(fd) == 0 else { throw fail("cannot flush to disk") }
        } catch {
            close(fd)
            unlink(tmp.path)
            throw error
        }
        guard close(fd) == 0 else {
            let e = fail("cannot write")
            unlink(tmp.path)
            throw e
        }
        guard rename(tmp.path, url.path) == 0 else {
            let e = fail("cannot move into place")
            unlink(tmp.path)
            throw e
        }
        try syncDirectory(url.deletingLastPathComponent(), fail: fail)
    }

    /// `fsync` of a folder, which makes a rename or a new file in it durable.
    public static func syncDirectory(_ dir: URL) throws {
        try syncDirectory(dir) { what in
            TrainingError.io(path: dir.path, message: "\(what): \(String(cString: strerror(errno)))")
        }
    }

    private static func syncDirectory(_ dir: URL, fail: (String) -> TrainingError) throws {
        let dfd = open(dir.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { throw fail("cannot open the folder to flush it") }
        defer { close(dfd) }
        guard fsync(dfd) == 0 else { throw fail("cannot flush the folder to disk") }
    }

    private static func writeAll(_ data: Data, to fd: Int32, fail: (String) -> TrainingError) throws {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var done = 0
            while done < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw fail("cannot write")
                }
                done += n
            }
        }
    }

    /// Removes the temporary file of the write in flight, if any. Async-signal-safe (`unlink(2)` on a preallocated
    /// path): call it from a signal handler that is about to `_exit`.
    public static func removePendingFromSignalHandler() {
        Pending.unlinkIfActive()
    }

    /// Allocates the path buffer; call before installing a signal handler that uses
    /// ``removePendingFromSignalHandler()``, so the handler never runs a lazy initializer.
    public static func prepareForSignalHandlers() { Pending.prepare() }

    /// One slot holding the temporary path in flight, as a C string a signal handler can read.
    private enum Pending {
        static let capacity = 4096
        nonisolated(unsafe) private static var active: sig_atomic_t = 0
        nonisolated(unsafe) private static var buffer: UnsafeMutablePointer<CChar>? = nil

        static func prepare() {
            if buffer == nil {
                let p = UnsafeMutablePointer<CChar>.allocate(capacity: capacity)
                p.initialize(repeating: 0, count: capacity)
                buffer = p
            }
        }

        static func set(_ path: String) {
            prepare()
            guard let b = buffer else { return }
            active = 0
            let bytes = Array(path.utf8CString)
            guard bytes.count <= capacity else { return }
            bytes.withUnsafeBufferPointer { src in
                for i in 0..<src.count { b[i] = src[i] }
            }
            active = 1
        }

        static func clear() { active = 0 }

        static func unlinkIfActive() {
            if active != 0, let b = buffer { unlink(b) }
        }
    }
}
