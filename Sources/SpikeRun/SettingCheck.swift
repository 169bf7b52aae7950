import Foundation

/// Range checks for numbers that come from flags and config files; each failure is a ``RunError``
/// (`.invalidSetting`) whose subject is the setting's key as files spell it (`learning_rate`,
/// ``RunConfig/fileKey(_:)``) and whose message gives the allowed range and the value.
///
/// Every number a user can type passes through one of these before it reaches arithmetic, an allocation or
/// `JSONEncoder` (which cannot encode NaN or ±∞).
enum SettingCheck {
    /// `value` must lie in `range`.
    static func int(_ value: Int, _ key: String, _ range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw RunError(
                .invalidSetting, subject: RunConfig.fileKey(key),
                "must be an integer in \(show(range.lowerBound))…\(show(range.upperBound)), got \(value)")
        }
    }

    /// `value` must be finite and lie between `min` and `max` (each bound inclusive unless marked open).
    static func real(
        _ value: Double, _ key: String, min: Double, max: Double, openMin: Bool = false, openMax: Bool = false
    ) throws {
        let aboveMin = openMin ? value > min : value >= min
        let belowMax = openMax ? value < max : value <= max
        guard value.isFinite, aboveMin, belowMax else {
            let range = "\(openMin ? "(" : "[")\(show(min)), \(show(max))\(openMax ? ")" : "]")"
            throw RunError(
                .invalidSetting, subject: RunConfig.fileKey(key), "must be a finite number in \(range), got \(value)")
        }
    }

    /// A `Float` setting (checked as `Double`, so an overflowing `1e39` shows as `inf`).
    static func real(
        _ value: Float, _ key: String, min: Double, max: Double, openMin: Bool = false, openMax: Bool = false
    ) throws {
        try real(Double(value), key, min: min, max: max, openMin: openMin, openMax: openMax)
    }

    /// `value` must be positive and at most `max`.
    static func positive(_ value: Double, _ key: String, max: Double) throws {
        try real(value, key, min: 0, max: max, openMin: true)
    }

    /// `value` must be non-negative and at most `max`.
    static func nonNegative(_ value: Double, _ key: String, max: Double) throws {
        try real(value, key, min: 0, max: max)
    }

    static func fail(_ key: String, _ message: String) -> RunError {
        RunError(.invalidSetting, subject: RunConfig.fileKey(key), message)
    }

    /// A bound as a person writes it: integers without a fraction, large or small values in exponent form.
    static func show(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e7 { return String(Int(x)) }
        return String(format: "%g", x)
    }

    static func show(_ x: Int) -> String { "\(x)" }
}
