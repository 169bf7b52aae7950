import Foundation

/// Values headed for `JSONSerialization`, which cannot encode NaN or ±∞ (it throws "Invalid number value").
public enum JSONValue {
    /// `x`, or JSON `null` when it is not finite (a diverged loss, an empty split's mean).
    static func finite(_ x: Double) -> Any { x.isFinite ? x : NSNull() }

    /// Encodes `object` as JSON text; non-finite numbers anywhere in it become `null` first, so the encoding
    /// cannot fail on user data.
    public static func text(_ object: [String: Any], options: JSONSerialization.WritingOptions = [.sortedKeys])
        -> String
    {
        let data = (try? JSONSerialization.data(withJSONObject: sanitized(object), options: options)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func sanitized(_ value: Any) -> Any {
        switch value {
        case let d as Double: return finite(d)
        case let f as Float: return finite(Double(f))
        case let a as [Any]: return a.map(sanitized)
        case let m as [String: Any]: return m.mapValues(sanitized)
        default: return value
        }
    }
}
