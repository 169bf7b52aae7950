import Foundation

extension SVG {
    /// Every neuron's activity sorted from most to least active on a logarithmic axis, silent neurons (rate 0,
    /// which a log axis cannot show) as a red band at the right with their count.
    ///
    /// Why: a linear histogram of firing rates hides the long tail and lumps the silent neurons into the first
    /// bin; in a trained SG network often 40 % of the hidden layer never fires, which is capacity the chip
    /// spends for nothing.
    public static func activityRank(title: String, rates: [Double], yLabel: String, color: String = "#1f77b4")
        -> String
    {
        let sorted = rates.sorted(by: >)
        let active = sorted.filter { $0 > 0 }
        let silent = sorted.count - active.count
        let lo = active.min() ?? 0.1
        let hi = active.max() ?? 1
        let f = Frame(x: (0, Double(max(1, sorted.count))), y: (min(lo, hi / 10), hi), yLog: true)
        var s = f.axes(title: title, xLabel: "neurons, most active first", yLabel: yLabel)
        let w = f.plotWidth / Double(max(1, sorted.count))
        let base = f.height - f.bottom
        for (i, r) in active.enumerated() {
            let y = f.py(r)
            s +=
                "<rect x='\(n(f.px(Double(i))))' y='\(n(y))' width='\(n(max(0.5, w - (w > 3 ? 0.5 : 0))))' height='\(n(base - y))' fill='\(color)'/>"
        }
        if silent > 0 {
            let x = f.px(Double(active.count))
            s +=
                "<rect x='\(n(x))' y='\(n(f.top))' width='\(n(f.width - f.right - x))' height='\(n(f.plotHeight))' fill='#d62728' fill-opacity='0.12'/>"
            let label = "\(silent) silent"
            let inside = f.width - f.right - x > 70
            s += text(
                label, x: inside ? (x + f.width - f.right) / 2 : x - 4, y: f.top + f.plotHeight / 2, size: 12,
                anchor: inside ? "middle" : "end", extra: " fill='#d62728' font-weight='bold'")
        }
        return wrap(s, width: f.width, height: f.height)
    }
}
