import Foundation
import Testing
@testable import RedlineExtract

/// The per-message time limit counts the CPU time spent extracting, so a loaded machine (time spent
/// waiting for the processor) cannot turn a readable attachment into an unscannable one.
@Suite("Extraction time limit")
struct TimeLimitTests {
    @Test("time spent waiting does not count against the limit")
    func waitingIsFree() throws {
        var limits = ExtractLimits()
        limits.seconds = 0.2
        let budget = ExtractBudget(limits: limits)
        Thread.sleep(forTimeInterval: 0.5)
        #expect(throws: Never.self) { try budget.checkTime() }
        #expect(budget.cpuSeconds < 0.2)
    }

    @Test("time spent working counts, and the limit stops the extraction with X005")
    func workingCounts() throws {
        var limits = ExtractLimits()
        limits.seconds = 0.2
        let budget = ExtractBudget(limits: limits)
        var spin: UInt64 = 1
        var stopped: ExtractProblem?
        for _ in 0..<10_000 {
            for i in 0..<200_000 { spin = spin &* 6364136223846793005 &+ UInt64(i) }
            do { try budget.checkTime() } catch { stopped = error; break }
        }
        #expect(spin != 0)
        #expect(stopped?.code == ExtractCode.timeLimit)
        #expect(budget.cpuSeconds >= 0.2)
    }

    @Test("a limit of zero refuses at the first check")
    func zeroLimit() {
        var limits = ExtractLimits()
        limits.seconds = 0
        let budget = ExtractBudget(limits: limits)
        #expect(throws: ExtractProblem.self) { try budget.checkTime() }
    }
}
