/// "Did you mean …?" for names a user typed: subcommands, datasets, substrates, config keys.
public enum Suggestion {
    /// The candidate nearest to `word` by edit distance, if it is near enough to be a typo: at most a third of the
    /// word's length (at least 1, at most 3) edits away. Comparison ignores case.
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let w = word.lowercased()
        let limit = min(3, max(1, w.count / 3))
        let scored = candidates.map { ($0, distance(w, $0.lowercased())) }.filter { $0.1 <= limit }
        return scored.min { $0.1 < $1.1 }?.0
    }

    /// `" Did you mean 'x'?"`, or an empty string when nothing is close.
    public static func hint(for word: String, in candidates: [String]) -> String {
        closest(to: word, in: candidates).map { " Did you mean '\($0)'?" } ?? ""
    }

    /// Edit distance: Levenshtein's insertions, deletions and substitutions plus swaps of adjacent letters
    /// (`trian` → `train` is 1), each costing 1 (the "optimal string alignment" distance).
    /// - Complexity: O(m·n) time and memory (names are short).
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
