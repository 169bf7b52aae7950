import Foundation

extension SVG {
    /// Continual learning's accuracy matrix: row `i` is the test accuracy on every task after training task `i`
    /// (cells of tasks not yet seen are left blank), with each cell's value printed.
    public static func accuracyMatrix(title: String, rowLabels: [String], columnLabels: [String], accuracy: [[Double?]]) -> String {
        let cell = 46.0, left = 110.0, top = 44.0
        let rows = accuracy.count, cols = columnLabels.count
        var s = "<text x='\(left + cell * Double(cols) / 2)' y='18' text-anchor='middle' font-size='14' font-weight='bold'>\(escape(title))</text>"
        for (c, label) in columnLabels.enumerated() {
            s += "<text x='\(left + cell * (Double(c) + 0.5))' y='\(top - 6)' text-anchor='middle' font-size='11'>\(escape(label))</text>"
        }
        for r in 0..<rows {
            s += "<text x='\(left - 8)' y='\(top + cell * (Double(r) + 0.6))' text-anchor='end' font-size='11'>\(escape(rowLabels[r]))</text>"
            for c in 0..<cols {
                let x = left + cell * Double(c), y = top + cell * Double(r)
                guard c < accuracy[r].count, let a = accuracy[r][c] else {
                    s += "<rect x='\(x)' y='\(y)' width='\(cell)' height='\(cell)' fill='#f4f4f4' stroke='#fff'/>"
                    continue
                }
                // White at chance-like 0.5 and below, full blue at 1.
                let alpha = max(0, min(1, (a - 0.5) / 0.5))
                s += "<rect x='\(x)' y='\(y)' width='\(cell)' height='\(cell)' fill='rgba(31,119,180,\(String(format: "%.3f", 0.1 + 0.9 * alpha)))' stroke='#fff'/>"
                s += "<text x='\(x + cell / 2)' y='\(y + cell * 0.6)' text-anchor='middle' font-size='11' fill='\(alpha > 0.6 ? "#fff" : "#000")'>\(String(format: "%.1f", 100 * a))</text>"
            }
        }
        s += "<text x='\(left + cell * Double(cols) / 2)' y='\(top + cell * Double(rows) + 18)' text-anchor='middle' font-size='12'>test accuracy (%) on task</text>"
        return wrap(s, width: left + cell * Double(cols) + 20, height: top + cell * Double(rows) + 28)
    }
}
