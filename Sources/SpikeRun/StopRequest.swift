import Foundation
import SpikeTraining

/// A process-wide stop request, set by Ctrl-C (SIGINT) or SIGTERM once ``installInterruptHandler()`` has run.
///
/// Pass ``isRequested`` as the `shouldStop` of ``TrainingRun/run(progress:epochFinished:shouldStop:)``: the first
/// signal stops the run at the next batch boundary with a valid checkpoint (a `kill` from a job scheduler is
/// handled like Ctrl-C); a second one exits at once with status 128 + the signal number (130 for SIGINT, 143 for
/// SIGTERM), after removing the temporary file of an atomic write in flight, so no `.tmp` file is left behind.
public enum StopRequest {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0

    /// Routes SIGINT and SIGTERM to the stop request (replaces any earlier handlers of both) and unblocks them:
    /// a process started with them blocked (a parent's inherited signal mask) would otherwise never see them.
    public static func installInterruptHandler() {
        DurableFile.prepareForSignalHandlers()
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, SIGINT)
        sigaddset(&mask, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { s in
                if StopRequest.flag != 0 {
                    DurableFile.removePendingFromSignalHandler()
                    _exit(128 + s)
                }
                StopRequest.flag = s
            }
        }
    }

    /// True once a signal arrived or ``request()`` was called.
    public static var isRequested: Bool { flag != 0 }

    /// The signal that asked for the stop (SIGINT for ``request()``); nil when none did.
    public static var receivedSignal: Int32? { flag == 0 ? nil : flag }

    /// The exit status of a stopped run: 128 + the signal (130 after Ctrl-C or ``request()``, 143 after SIGTERM).
    public static var exitStatus: Int32 { 128 + (flag == 0 ? SIGINT : flag) }

    /// Asks the run to stop, as Ctrl-C does (tests, time limits).
    public static func request() { flag = SIGINT }
}
