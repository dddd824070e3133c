/// Tables in the style of Python `tabulate(..., tablefmt="fancy_grid")`, as the SLURP evaluator and
/// sacreBLEU's significance report print them.
public enum FancyGrid {
    public enum Align { case left, right, center }

    /// - Parameters:
    ///   - headers: column titles.
    ///   - rows: cells (already formatted).
    ///   - align: per column.
    ///   - minPadding: tabulate's `MIN_PADDING` added to the header width (2 by default, 0 for sacreBLEU).
    ///   - rowSeparators: draw `├─┼─┤` between rows (tabulate does for fancy_grid).
    public static func render(headers: [String], rows: [[String]], align: [Align], minPadding: Int = 2) -> String {
        let cols = headers.count
        var width = [Int](repeating: 0, count: cols)
        for c in 0..<cols {
            width[c] = headers[c].count + minPadding
            for r in rows { width[c] = max(width[c], r[c].split(separator: "\n", omittingEmptySubsequences: false).map(\.count).max() ?? 0) }
        }
        func pad(_ s: String, _ w: Int, _ a: Align) -> String {
            let n = w - s.count
            guard n > 0 else { return s }
            switch a {
            case .left: return s + String(repeating: " ", count: n)
            case .right: return String(repeating: " ", count: n) + s
            case .center:
                let l = n / 2, r = n - l
                return String(repeating: " ", count: l) + s + String(repeating: " ", count: r)
            }
        }
        func line(_ l: String, _ m: String, _ r: String, _ f: String) -> String {
            l + width.map { String(repeating: f, count: $0 + 2) }.joined(separator: m) + r
        }
        func row(_ cells: [String]) -> [String] {
            let parts = cells.map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
            let h = parts.map(\.count).max() ?? 1
            return (0..<h).map { k in
                "│" + (0..<cols).map { c in " " + pad(k < parts[c].count ? parts[c][k] : "", width[c], align[c]) + " " }.joined(separator: "│") + "│"
            }
        }
        var out = [line("╒", "╤", "╕", "═")]
        out += row(headers)
        out.append(line("╞", "╪", "╡", "═"))
        for (k, r) in rows.enumerated() {
            out += row(r)
            if k < rows.count - 1 { out.append(line("├", "┼", "┤", "─")) }
        }
        out.append(line("╘", "╧", "╛", "═"))
        return out.joined(separator: "\n")
    }
}

/// The SLURP evaluator's default printout (seven OVERALL tables, 4 decimals).
public enum SLURPReport {
    public static func text(_ r: SLURPResult, macro: Bool = false) -> String {
        var out = ""
        for (_, title, table) in r.tables {
            let v = macro ? table.macro : table.micro
            let t = FancyGrid.render(headers: [title, "Precision", "Recall", "F-Measure"],
                                     rows: [["OVERALL", pyFixed(v.precision, 4), pyFixed(v.recall, 4), pyFixed(v.f1, 4)]],
                                     align: [.left, .right, .right, .right])
            out += t + " \n\n"
        }
        return out
    }
}
