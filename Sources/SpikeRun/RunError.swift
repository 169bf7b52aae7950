/// A run could not be configured, started or resumed; the message names the setting, flag or file.
///
/// Printed by the CLI as `Error: <description>`. Dataset, checkpoint and substrate problems keep their own
/// types (`DatasetError`, `TrainingError`); this type covers what SpikeRun itself decides.
public struct RunError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Code: String, Sendable {
        /// A setting has a value outside its range, or settings contradict each other.
        case invalidSetting = "invalid setting"
        /// A config file cannot be read or parsed, or names an unknown setting.
        case configFile = "config file"
        /// A run directory cannot be created or written, already holds a run, or lacks what a resume needs.
        case runDirectory = "run directory"
        /// A checkpoint does not fit the data it is used with.
        case checkpoint
        /// Generating a dataset failed (e.g. a speech synthesis).
        case dataGeneration = "data generation"
        /// Training produced a non-finite loss, gradient or weight; the message names the last good checkpoint.
        case diverged
        /// An input file (a `.npy` array, a NIR graph's input) is unreadable or does not fit.
        case inputFile = "input file"
    }

    public var code: Code
    /// The setting (`hidden`), flag or file the problem concerns; empty when there is none.
    public var subject: String
    /// What went wrong, with what was expected and what was found.
    public var message: String

    public init(_ code: Code, subject: String = "", _ message: String) {
        self.code = code
        self.subject = subject
        self.message = message
    }

    public var description: String { subject.isEmpty ? message : "\(subject): \(message)" }
}
