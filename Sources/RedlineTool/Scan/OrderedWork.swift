import Foundation

/// Hands out unit indices to worker threads and gives their results back in index order. At
/// most `window` units are in flight or waiting to be emitted, so memory stays bounded whatever
/// the number of units; the emitter sees results in input order whatever the number of workers.
/// The emitting thread works too: while the result it needs is not ready, it takes units itself
/// (so N jobs are N threads in all, and one job is one thread).
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

    /// The result of `index` (call with 0, 1, 2, … in turn). While it is not ready, runs units
    /// with `run` on the calling thread when the window allows, else waits for the workers.
    func result(_ index: Int, run: (Int) -> Result) -> Result {
        condition.lock()
        defer { condition.unlock() }
        while results[index] == nil {
            if !cancelled && nextIndex < count && nextIndex - emitted < window {
                let taken = nextIndex
                nextIndex += 1
                condition.unlock()
                let result = run(taken)
                condition.lock()
                results[taken] = result
                condition.broadcast()
                continue
            }
            condition.wait()
        }
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
