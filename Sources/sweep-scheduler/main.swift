import Egress
import Foundation
import Glibc
import Logging
import Service
import SweepScheduler
import SweepStore

// sweep-scheduler: claims and runs task runs. Any number may run against one database.
let environment = ProcessInfo.processInfo.environment
ServiceLogging.bootstrap(environment)
let logger = Logger(label: "sweep-scheduler")
guard let url = environment["SWEEP_DATABASE_URL"], !url.isEmpty else {
    logger.critical("set SWEEP_DATABASE_URL")
    exit(2)
}
var host = [CChar](repeating: 0, count: 256)
gethostname(&host, host.count)
let hostName = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
let schedulerID = "\(hostName)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
let egress: EgressPolicy
do {
    egress = try EgressPolicy(allowList: environment["SWEEP_EGRESS_ALLOW"] ?? "")
} catch {
    logger.critical("\(error)")
    exit(2)
}
let configuration = {
    var configuration = SchedulerConfiguration(
        databaseURL: url,
        schedulerID: schedulerID,
        maxInFlight: Int(environment["SWEEP_SCHEDULER_CONCURRENCY"] ?? "") ?? 256,
        claimBatch: Int(environment["SWEEP_CLAIM_BATCH"] ?? "") ?? 100,
        leaseSeconds: Int(environment["SWEEP_LEASE_SECONDS"] ?? "") ?? 30,
        rescueInterval: .milliseconds(Int(environment["SWEEP_RESCUE_INTERVAL_MS"] ?? "") ?? 10_000),
        localExecution: environment["SWEEP_LOCAL_EXEC"] == "1",
        workRoot: environment["SWEEP_WORK_DIR"] ?? NSTemporaryDirectory(),
        apiURL: environment["SWEEP_API_URL"],
        egress: egress,
        maxOutputBytes: Int(environment["SWEEP_MAX_OUTPUT_BYTES"] ?? "") ?? 1 << 20)
    configuration.retentionDays = max(0, Int(environment["SWEEP_RETENTION_DAYS"] ?? "") ?? configuration.retentionDays)
    if let milliseconds = Int(environment["SWEEP_RETENTION_INTERVAL_MS"] ?? ""), milliseconds > 0 {
        configuration.retentionInterval = .milliseconds(milliseconds)
    }
    if let milliseconds = Int(environment["SWEEP_WAIT_CHECK_INTERVAL_MS"] ?? ""), milliseconds > 0 {
        configuration.waitCheckInterval = .milliseconds(milliseconds)
    }
    if let milliseconds = Int(environment["SWEEP_WAITING_INTERVAL_MS"] ?? ""), milliseconds > 0 {
        configuration.waitingInterval = .milliseconds(milliseconds)
    }
    if let milliseconds = Int(environment["SWEEP_PROGRESS_INTERVAL_MS"] ?? ""), milliseconds >= 0 {
        configuration.progressInterval = .milliseconds(milliseconds)
    }
    if let text = environment["SWEEP_TASK_NICE"], !text.isEmpty {
        guard let niceness = Int(text), (0...19).contains(niceness) else {
            logger.critical("SWEEP_TASK_NICE must be a whole number from 0 to 19")
            exit(2)
        }
        configuration.taskNiceness = niceness
    }
    if let seconds = Int(environment["SWEEP_BLOB_UPLOAD_GRACE_SECONDS"] ?? ""), seconds > 0 {
        configuration.uploadGraceSeconds = seconds
    }
    configuration.sandbox = SandboxSettings.fromEnvironment(environment)
    // Task files: the worker's blob store and stored-bytes limit (SWEEP_BLOB_STORE, SWEEP_LIMIT_STORED_BYTES). Its
    // pools open lazily, so a scheduler whose tasks declare no files never connects them.
    do {
        let files = Database(url: url, maxConnections: 4)
        configuration.files = TaskFileServices(database: files, blobs: try BlobStoreFactory.make(environment: environment, database: files),
                                               limits: try StorageLimits(environment: environment))
    } catch {
        logger.critical("\(error)")
        exit(2)
    }
    do {
        let limits = try LimitDefaults(environment: environment)  // refused, not ignored
        configuration.defaultMaxRunningRuns = limits.maxRunningRuns
        configuration.defaultMaxLaunchesInFlight = limits.maxLaunchesInFlight
    } catch {
        logger.critical("\(error)")
        exit(2)
    }
    return configuration
}()

// Containers of schedulers that died without removing them (crash, SIGKILL) still run: remove them first.
ContainerReaper.removeOrphans(configuration.sandbox, logger: logger)

// TERM/INT are taken by the wait below only; every thread started after this inherits the blocked mask.
let signals = TerminationSignals.block()

// Loops per process (SWEEP_SCHEDULER_LOOPS, default one per core): each claims, executes and records on its own
// thread and connection, so one loop's database round trips overlap another's HTTP work. Each is a scheduler of
// its own to the database (claims are leased to "<host>-<pid>-<random>.<loop>").
let loopCount = max(1, Int(environment["SWEEP_SCHEDULER_LOOPS"] ?? "") ?? ProcessInfo.processInfo.activeProcessorCount)
let engines = (0..<loopCount).map { loop in
    var own = configuration
    own.schedulerID = "\(schedulerID).\(loop)"
    return SchedulerEngine(configuration: own, logger: logger)
}
let done = DispatchGroup()
for (loop, engine) in engines.enumerated() {
    done.enter()
    let worker = Thread {
        // Returns only when stopped: a database that goes away is waited for inside, never a reason to exit.
        engine.run()
        done.leave()
    }
    worker.name = "scheduler-loop-\(loop)"
    worker.stackSize = 8 << 20
    worker.start()
}
let received = signals.wait()
logger.info("stopping", metadata: ["signal": "\(received)"])
for engine in engines { engine.stop() }
done.wait()
// The supervisor killed the podman clients of running containers, which leaves the containers themselves.
ContainerReaper.removeOwn(configuration.sandbox, logger: logger)
