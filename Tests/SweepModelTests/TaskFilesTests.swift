import SweepJSON
import Testing
@testable import SweepModel

private let start: [String: JSONValue] = ["position": "start"]

private func register(_ properties: [String: JSONValue]) -> ValidationError? {
    let json = TestSupport.workflowJSON([TestSupport.task("1", properties: start.merging(properties) { _, new in new })])
    do {
        _ = try Workflow.registering(json, catalog: TestSupport.exampleCatalog)
        return nil
    } catch {
        return error
    }
}

@Test func taskFilesAreReadWhenValid() throws {
    let workflow = try Workflow(json: TestSupport.workflowJSON([TestSupport.task("1", properties: start.merging([
        "input_files": [["name": "sample.in", "contents": "x"], ["name": "b.in", "contents_expr": "str(static_input['n'])"]],
        "artifacts": ["largefile.h5"], "output_files": ["output1.txt", "frame_*.png"],
    ]) { _, new in new })]))
    let files = workflow.tasks[0].properties.files
    #expect(files.inputFiles.map(\.name) == ["sample.in", "b.in"])
    #expect(files.artifacts == ["largefile.h5"])
    #expect(files.outputFiles == ["output1.txt", "frame_*.png"])
}

@Test func badTaskFilesAre422WithTheirPointer() {
    let big = JSONValue.string(String(repeating: "x", count: TaskFiles.maxInputFileBytes + 1))
    let cases: [([String: JSONValue], String, ValidationError.Code)] = [
        (["input_files": "sample.in"], "/tasks/0/properties/input_files", .invalidType),
        (["input_files": [["name": "../x", "contents": "a"]]], "/tasks/0/properties/input_files/0/name", .invalidFileName),
        (["input_files": [["name": ".hidden", "contents": "a"]]], "/tasks/0/properties/input_files/0/name", .invalidFileName),
        (["input_files": [["name": "a/b", "contents": "a"]]], "/tasks/0/properties/input_files/0/name", .invalidFileName),
        (["input_files": [["name": "a.in"]]], "/tasks/0/properties/input_files/0/contents", .missingField),
        (["input_files": [["name": "a.in", "contents": "a", "contents_expr": "'a'"]]], "/tasks/0/properties/input_files/0/contents_expr", .invalidValue),
        (["input_files": [["name": "a.in", "contents_expr": "open('/etc/passwd')"]]], "/tasks/0/properties/input_files/0/contents_expr", .invalidExpression),
        (["input_files": [["name": "a.in", "contents_expr": "env['HOME']"]]], "/tasks/0/properties/input_files/0/contents_expr", .unknownName),
        (["input_files": [["name": "a.in", "contents_expr": "static_input["]]], "/tasks/0/properties/input_files/0/contents_expr", .invalidExpression),
        (["input_files": [["name": "a.in", "contents": big]]], "/tasks/0/properties/input_files/0/contents", .tooLarge),
        (["input_files": [["name": "a.in", "contents": "1"], ["name": "a.in", "contents": "2"]]], "/tasks/0/properties/input_files/1/name", .duplicateFileName),
        (["artifacts": ["x.bin", "x.bin"]], "/tasks/0/properties/artifacts/1", .duplicateFileName),
        (["artifacts": [3]], "/tasks/0/properties/artifacts/0", .invalidType),
        (["artifacts": .array((0...TaskFiles.maxArtifacts).map { .string("a\($0)") })], "/tasks/0/properties/artifacts", .tooLarge),
        (["output_files": ["../*"]], "/tasks/0/properties/output_files/0", .invalidFileName),
        (["output_files": ["out/*.txt"]], "/tasks/0/properties/output_files/0", .invalidFileName),
        (["output_files": [".*"]], "/tasks/0/properties/output_files/0", .invalidFileName),
        (["output_files": [""]], "/tasks/0/properties/output_files/0", .invalidFileName),
    ]
    for (properties, field, code) in cases {
        let error = register(properties)
        #expect(error?.field == field && error?.code == code, "\(properties): \(String(describing: error))")
    }
}

@Test func outputPatternsMatchLikeFnmatchWithoutHiddenFiles() {
    let cases: [(String, String, Bool)] = [
        ("frame_*.png", "frame_001.png", true), ("frame_*.png", "frame_.png", true), ("frame_*.png", "frame_1.jpg", false),
        ("output?.txt", "output1.txt", true), ("output?.txt", "output12.txt", false), ("*", "anything", true),
        ("*", ".hidden", false), (".h*", ".hidden", true), ("[ab].dat", "a.dat", true), ("[ab].dat", "c.dat", false),
        ("[!ab].dat", "c.dat", true), ("[a-c]*", "beta", true), ("[a-c]*", "delta", false), ("*.txt", "a.txt.bak", false),
        ("a*b*c", "axxbyyc", true), ("a*b*c", "axxbyy", false), ("[", "[", true),
    ]
    for (pattern, name, expected) in cases {
        #expect(OutputPattern.matches(pattern, name) == expected, "\(pattern) vs \(name)")
    }
}

@Test func inputFilesAreComputedPerReplicaFromTheScatteredInput() throws {
    let simulation = try LaunchSimulation.run(Workflow(json: TestSupport.workflowJSON([
        TestSupport.task("1", properties: start.merging([
            "static_input": ["nsteps": [100, 200]], "scatter": "static_input['nsteps']",
            "input_files": [["name": "sample.in", "contents_expr": "'variable nsteps equal ' + str(static_input['nsteps'])"],
                            ["name": "fixed.in", "contents": "same"]],
            "artifacts": ["big.h5"], "output_files": ["frame_*"],
        ]) { _, new in new }),
    ])), launchInput: nil, executor: TestSupport.executor([:]))
    #expect(simulation.succeeded)
    let planner = try Planner(workflow: Workflow(json: TestSupport.workflowJSON([
        TestSupport.task("1", properties: start.merging([
            "static_input": ["n": 7], "input_files": [["name": "sample.in", "contents_expr": "'n=' + str(static_input['n'])"]],
        ]) { _, new in new }),
    ])))
    guard case .execute(let input) = planner.prepare(planner.start().runs[0], predecessors: [], launchInput: nil, in: ReplicaCounts()) else {
        Issue.record("the run should execute")
        return
    }
    #expect(input.files?.inputFiles == [RunFiles.InputFile(name: "sample.in", contents: "n=7")])
    #expect(RunFiles(json: input.files?.json) == input.files)
}

@Test func aContentsExpressionThatIsNoStringFailsTheRun() throws {
    let planner = try Planner(workflow: Workflow(json: TestSupport.workflowJSON([
        TestSupport.task("1", properties: start.merging([
            "static_input": ["n": 7], "input_files": [["name": "sample.in", "contents_expr": "static_input['n']"]],
        ]) { _, new in new }),
    ])))
    guard case .fail(let error) = planner.prepare(planner.start().runs[0], predecessors: [], launchInput: nil, in: ReplicaCounts()) else {
        Issue.record("the run should fail")
        return
    }
    #expect(error.code == .inputFilesFailed)
    #expect(error.message.contains("must give a string"))
}
