import BlockingCalls
import Dispatch
import Foundation
import Synchronization
import Testing
import Web
@testable import FastCGI

/// The gate's rules, with real threads. Nothing waits on the clock: each step waits for the state it needs
/// (`until`), and the stuck check's timeouts are counted, not timed.
@Suite struct ActiveThreadGateTests {
    /// Spins (yielding) until `condition` holds; the gate's own timed waits make progress meanwhile.
    func until(_ condition: () -> Bool) {
        while !condition() { sched_yield() }
    }

    @Test func aThreadBeyondTheLimitSleepsUntilARunningOneBlocks() {
        let gate = ActiveThreadGate(limit: 1, stuckAfter: .seconds(3600))
        #expect(gate.enter())
        let entered = Flag()
        let second = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = gate.enter()
            entered.set()
            second.signal()
        }
        until { gate.requestThreads.sleeping == 1 }
        #expect(!entered.isSet)
        #expect(gate.requestThreads.running == 1)

        gate.willBlock()  // the first one waits on I/O: its place goes to the sleeper
        second.wait()
        #expect(gate.requestThreads.running == 1)
        gate.didUnblock()  // back at once, over the limit
        #expect(gate.requestThreads.running == 2)
        // The first to finish a request while over the limit gives its place up.
        let gaveUp = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = gate.requestFinished()
            gaveUp.signal()
        }
        until { gate.requestThreads.sleeping == 1 }
        #expect(gate.requestThreads.running == 1)
        gate.leave()
        gaveUp.wait()
        #expect(gate.requestThreads.running == 1)
        gate.leave()
        #expect(gate.requestThreads.running == 0)
    }

    @Test func underTheLimitAFinishedRequestKeepsItsPlace() {
        let gate = ActiveThreadGate(limit: 2, stuckAfter: .seconds(3600))
        #expect(gate.enter())
        #expect(gate.enter())
        #expect(gate.requestFinished())
        #expect(gate.requestThreads == RequestThreadCounts(running: 2, sleeping: 0, overruns: 0))
        #expect(gate.sleepsTimedOut == 0)
    }

    @Test func aSleeperRunsBesideThreadsThatAreStuck() {
        let gate = ActiveThreadGate(limit: 1, stuckAfter: .milliseconds(1))
        #expect(gate.enter())
        // The running thread neither waits for requests nor finishes one: stuck somewhere unmarked.
        #expect(gate.enter())
        #expect(gate.requestThreads.running == 2)
        #expect(gate.sleepsTimedOut >= 1)
    }

    @Test func aSleeperStaysAsleepWhileARunningThreadWaitsForRequests() {
        let gate = ActiveThreadGate(limit: 1, stuckAfter: .milliseconds(1))
        #expect(gate.enter())
        let release = DispatchSemaphore(value: 0)
        let polling = DispatchSemaphore(value: 0)
        let poller = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            gate.waitingForRequest {
                polling.signal()
                release.wait()
            }
            poller.signal()
        }
        polling.wait()
        let entered = Flag()
        Thread.detachNewThread {
            _ = gate.enter()
            entered.set()
        }
        until { gate.sleepsTimedOut >= 5 }
        #expect(!entered.isSet)
        #expect(gate.requestThreads.running == 1)
        release.signal()
        poller.wait()
        gate.stop()
    }

    @Test func stoppingWakesSleepers() {
        let gate = ActiveThreadGate(limit: 1, stuckAfter: .seconds(3600))
        #expect(gate.enter())
        let answer = Flag()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            if gate.enter() { answer.set() }
            done.signal()
        }
        until { gate.requestThreads.sleeping == 1 }
        gate.stop()
        done.wait()
        #expect(!answer.isSet)
    }

    @Test func blockingCallsOnAGateThreadFreeTheirPlaceOnce() {
        let gate = ActiveThreadGate(limit: 1, stuckAfter: .seconds(3600))
        let seen = Seen()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            BlockingCall.observe(gate)
            _ = gate.enter()
            BlockingCall.around {
                seen.append(gate.requestThreads.running)
                BlockingCall.around { seen.append(gate.requestThreads.running) }
            }
            seen.append(gate.requestThreads.running)
            BlockingCall.observe(nil)
            BlockingCall.around { seen.append(gate.requestThreads.running) }
            done.signal()
        }
        done.wait()
        // Inside (nested too) the thread's place is free; after, it runs again; with no observer, nothing changes.
        #expect(seen.values == [0, 0, 1, 1])
    }
}

/// A flag one thread sets and another reads.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .sequentiallyConsistent) }
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
}

/// Values one thread records for another to read after.
final class Seen: Sendable {
    private let list = Mutex<[Int]>([])
    func append(_ value: Int) { list.withLock { $0.append(value) } }
    var values: [Int] { list.withLock { $0 } }
}
