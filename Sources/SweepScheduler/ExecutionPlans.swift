import SweepJSON

/// What stored `exec` texts parsed to, for the claims of one scheduler loop: the replicas of a scatter share one
/// exec, so a claim of 100 of them parses it once instead of 100 times. A handful of entries: a claim rarely
/// spans more tasks than that, and a miss only parses again. Used on the loop's thread only.
final class ExecutionPlans {
    private var entries: [(text: [UInt8], plan: ExecutionPlan)] = []
    private let capacity = 16

    func plan(_ text: [UInt8]) throws -> ExecutionPlan {
        if let index = entries.firstIndex(where: { $0.text == text }) { return entries[index].plan }
        let plan = ExecutionPlan(try JSONParser.parse(text))
        if entries.count >= capacity { entries.removeFirst() }
        entries.append((text, plan))
        return plan
    }
}
