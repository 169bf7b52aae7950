import Foundation

/// A self-contained HTML page of titled sections holding inline SVG figures and tables.
public struct HTMLReport {
    public var title: String
    private var body = ""

    public init(title: String) { self.title = title }

    public mutating func heading(_ text: String) { body += "<h2>\(SVG.escape(text))</h2>\n" }
    public mutating func paragraph(_ text: String) { body += "<p>\(SVG.escape(text))</p>\n" }
    public mutating func figures(_ svgs: [String]) { body += "<div class='row'>" + svgs.map { "<figure>\($0)</figure>" }.joined() + "</div>\n" }

    public mutating func table(header: [String], rows: [[String]]) {
        body += "<table><tr>" + header.map { "<th>\(SVG.escape($0))</th>" }.joined() + "</tr>"
        for r in rows { body += "<tr>" + r.map { "<td>\(SVG.escape($0))</td>" }.joined() + "</tr>" }
        body += "</table>\n"
    }

    public var html: String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(SVG.escape(title))</title>
        <style>body{font-family:sans-serif;margin:24px;color:#222;max-width:1200px}
        .row{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0;border:1px solid #ddd;padding:6px;background:#fff}
        table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:right}
        th{background:#f4f4f4}h1{font-size:22px}h2{font-size:17px;margin-top:28px}</style></head>
        <body><h1>\(SVG.escape(title))</h1>
        \(body)</body></html>
        """
    }
}
