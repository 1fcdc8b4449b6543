import SweepJSON

/// An aligned text table for human output of lists.
struct Table {
    /// A column: its header and the key read from each item (a dotted path for nested objects).
    struct Column {
        let header: String
        let key: String
        init(_ header: String, _ key: String) {
            self.header = header
            self.key = key
        }
    }

    let columns: [Column]

    func render(_ items: [JSONValue]) -> String {
        let rows = items.map { item in columns.map { column in Table.lookup(item, column.key)?.cellText ?? "-" } }
        return Table.format(header: columns.map(\.header), rows: rows)
    }

    static func format(header: [String], rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (index, cell) in cells.enumerated() {
                if index == cells.count - 1 {
                    text += cell
                } else {
                    text += cell + String(repeating: " ", count: widths[index] - cell.count + 2)
                }
            }
            return text
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    static func lookup(_ item: JSONValue, _ path: String) -> JSONValue? {
        var current: JSONValue? = item
        for part in path.split(separator: ".") { current = current?[String(part)] }
        return current
    }
}
