import Foundation

/// A process-wide stop request, set by Ctrl-C once ``installInterruptHandler()`` has run.
///
/// Pass ``isRequested`` as the `shouldStop` of ``TrainingRun/run(progress:epochFinished:shouldStop:)``: the first
/// Ctrl-C stops the run at the next batch boundary with a valid checkpoint; a second one exits at once
/// (status 130).
public enum StopRequest {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0

    /// Routes SIGINT to the stop request (replaces any earlier SIGINT handler).
    public static func installInterruptHandler() {
        signal(SIGINT) { _ in
            if StopRequest.flag != 0 { _exit(130) }
            StopRequest.flag = 1
        }
    }

    /// True once Ctrl-C was pressed or ``request()`` called.
    public static var isRequested: Bool { flag != 0 }

    /// Asks the run to stop, as Ctrl-C does (tests, time limits).
    public static func request() { flag = 1 }
}
