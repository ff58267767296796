import Foundation

/// Hands out unit indices to worker threads and gives their results back in index order. At
/// most `window` units are in flight or waiting to be emitted, so memory stays bounded whatever
/// the number of units; the emitter sees results in input order whatever the number of workers.
final class OrderedWork<Result: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var results: [Int: Result] = [:]
    private var nextIndex = 0
    private var emitted = 0
    private var cancelled = false
    let count: Int
    let window: Int

    init(count: Int, window: Int) {
        self.count = count
        self.window = max(1, window)
    }

    /// The next index to work on, or nil when there is none left (or the run was cancelled).
    func take() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while !cancelled && nextIndex < count && nextIndex - emitted >= window { condition.wait() }
        guard !cancelled, nextIndex < count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }

    func put(_ index: Int, _ result: Result) {
        condition.lock()
        results[index] = result
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for the result of `index` (call with 0, 1, 2, … in turn).
    func result(_ index: Int) -> Result {
        condition.lock()
        defer { condition.unlock() }
        while results[index] == nil { condition.wait() }
        let result = results.removeValue(forKey: index)!
        emitted = index + 1
        condition.broadcast()
        return result
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
