import Foundation

/// A self-contained HTML page of titled sections holding inline SVG figures and tables.
///
/// Sections carry an `id` (`<h2 id='weights'>`), so a test or a link can find them and the page has a table of
/// contents at the top.
public struct HTMLReport {
    public var title: String
    private var body = ""
    private var contents: [(id: String, text: String)] = []

    public init(title: String) { self.title = title }

    /// A section heading; `id` (letters, digits and dashes) anchors it and lists it in the contents.
    public mutating func heading(_ text: String, id: String? = nil) {
        if let id {
            contents.append((id, text))
            body += "<h2 id='\(SVG.escape(id))'>\(SVG.escape(text))</h2>\n"
        } else {
            body += "<h2>\(SVG.escape(text))</h2>\n"
        }
    }

    public mutating func paragraph(_ text: String) { body += "<p>\(SVG.escape(text))</p>\n" }

    /// The one sentence a reader should take away, in a highlighted box under the title.
    public mutating func headline(_ text: String) { body += "<p class='headline'>\(SVG.escape(text))</p>\n" }

    /// A smaller explanatory note (what a figure shows, how a number was computed).
    public mutating func note(_ text: String) { body += "<p class='note'>\(SVG.escape(text))</p>\n" }

    public mutating func figures(_ svgs: [String]) {
        body += "<div class='row'>" + svgs.map { "<figure>\($0)</figure>" }.joined() + "</div>\n"
    }

    public mutating func table(header: [String], rows: [[String]]) {
        body += "<table><tr>" + header.map { "<th>\(SVG.escape($0))</th>" }.joined() + "</tr>"
        for r in rows { body += "<tr>" + r.map { "<td>\(SVG.escape($0))</td>" }.joined() + "</tr>" }
        body += "</table>\n"
    }

    /// Settings as `key value` pairs laid out in `columns` column pairs (read down, then across), keys left
    /// aligned: a configuration of ~70 keys fits on one screen.
    public mutating func keyValueTable(_ pairs: [(key: String, value: String)], columns: Int = 3) {
        let cols = max(1, columns)
        let rows = (pairs.count + cols - 1) / cols
        body += "<table class='kv'>"
        for r in 0..<rows {
            body += "<tr>"
            for c in 0..<cols {
                let i = c * rows + r
                if i < pairs.count {
                    body += "<th>\(SVG.escape(pairs[i].key))</th><td>\(SVG.escape(pairs[i].value))</td>"
                } else {
                    body += "<th></th><td></td>"
                }
            }
            body += "</tr>"
        }
        body += "</table>\n"
    }

    public var html: String {
        let toc =
            contents.isEmpty
            ? ""
            : "<nav>"
                + contents.map { "<a href='#\(SVG.escape($0.id))'>\(SVG.escape($0.text))</a>" }.joined(separator: " · ")
                + "</nav>\n"
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(SVG.escape(title))</title>
            <style>body{font-family:sans-serif;margin:24px;color:#222;max-width:1240px}
            .row{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0;border:1px solid #ddd;padding:6px;background:#fff}
            table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:right}
            th{background:#f4f4f4}table.kv th{text-align:left;font-weight:normal;color:#555}table.kv td{text-align:left;font-family:monospace}
            h1{font-size:22px}h2{font-size:17px;margin-top:28px}nav{font-size:13px;margin:6px 0 12px}nav a{color:#1f77b4}
            .headline{font-size:17px;background:#eef5fb;border-left:4px solid #1f77b4;padding:8px 12px}
            .note{font-size:13px;color:#555;max-width:1000px}</style></head>
            <body><h1>\(SVG.escape(title))</h1>
            \(toc)\(body)</body></html>
            """
    }
}
