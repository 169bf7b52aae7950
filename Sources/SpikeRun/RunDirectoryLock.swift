import Foundation

/// An exclusive lock on a run directory: `flock(2)` on its `.spikeloop.lock` file.
///
/// Two trainings into one folder (or a resume while the run is live) would interleave `metrics.jsonl` and
/// overwrite each other's checkpoints, so ``RunDirectory/create(at:config:)`` and
/// ``RunDirectory/resume(at:config:)`` take this lock first and the second run fails at once, naming the holder.
/// The kernel drops the lock when its holder exits or crashes (also on `kill -9`), so a lock file left behind by a
/// dead process never blocks. The file records the holder (pid, host, start time) for the error message only.
public final class RunDirectoryLock: @unchecked Sendable {
    /// The lock file's name inside a run directory.
    public static let fileName = ".spikeloop.lock"

    /// The lock file.
    public let url: URL
    private let mutex = NSLock()
    private var fd: Int32

    private init(url: URL, fd: Int32) {
        self.url = url
        self.fd = fd
    }

    deinit { release() }

    /// Takes the lock of `directory` (which must exist) without waiting.
    /// - Throws: ``RunError`` (`.runDirectory`) naming the folder and the holder when another process or another
    ///   ``RunDirectory`` in this one holds it, or when the lock file cannot be created.
    public static func acquire(in directory: URL) throws -> RunDirectoryLock {
        let url = directory.appendingPathComponent(fileName)
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw RunError(
                .runDirectory, subject: directory.path,
                "cannot create the lock file \(fileName): \(String(cString: strerror(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let busy = errno == EWOULDBLOCK
            let reason = String(cString: strerror(errno))
            let holder = busy ? readHolder(fd) : ""
            close(fd)
            if busy {
                throw RunError(
                    .runDirectory, subject: directory.path,
                    "is in use by another training run (\(holder.isEmpty ? "holder unknown" : holder)); wait for it to finish, or train into another --run-dir"
                )
            }
            throw RunError(.runDirectory, subject: directory.path, "cannot lock \(fileName): \(reason)")
        }
        let holder =
            "pid \(getpid()) on \(ProcessInfo.processInfo.hostName), since \(ISO8601DateFormatter().string(from: Date()))"
        _ = ftruncate(fd, 0)
        _ = holder.withCString { pwrite(fd, $0, strlen($0), 0) }
        return RunDirectoryLock(url: url, fd: fd)
    }

    /// Whether this object still holds the lock.
    public var isHeld: Bool {
        mutex.lock()
        defer { mutex.unlock() }
        return fd >= 0
    }

    /// Releases the lock (idempotent); the lock file stays.
    public func release() {
        mutex.lock()
        defer { mutex.unlock() }
        guard fd >= 0 else { return }
        _ = flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    private static func readHolder(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return "" }
        return String(decoding: buffer.prefix(n), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
