import SweepExpression
import SweepJSON
import Testing

/// The parts of the public interface the workflow planner and validator rely on, beyond evaluation results.
@Suite struct ExpressionAPITests {
    @Test func seedConditionReadsPredecessorOutputs() throws {
        let condition = try Expression(parsing: "predecessor_outputs['1']['buckets'][0]['count'] >= 4")
        let outputs: JSONValue = ["1": ["buckets": [["count": 4]]]]
        #expect(try condition.evaluate(["predecessor_outputs": outputs]) == true)
        #expect(try condition.evaluate(["predecessor_outputs": ["1": ["buckets": [["count": 3]]]]]) == false)
        #expect(condition.referencedNames == ["predecessor_outputs"])
    }

    @Test func subscriptPathOfAPlainPath() throws {
        let path = try #require(try Expression(parsing: "predecessor_outputs['1']['tile']").subscriptPath)
        #expect(path.root == "predecessor_outputs")
        #expect(path.keys == ["1", "tile"])
        let indexed = try #require(try Expression(parsing: "static_input['xs'][-1][0]").subscriptPath)
        #expect(indexed.root == "static_input")
        #expect(indexed.keys == ["xs", -1, 0])
    }

    @Test(arguments: [
        "predecessor_outputs['1']['tile'][:2]", "len(x)", "x[y]", "x['a'] + 1", "x[1.5]", "x[True]", "x[1 + 1]",
        "[1][0]", "x['a'] if c else x['b']", "'abc'[0]",
    ])
    func subscriptPathIsNilForAnythingElse(_ source: String) throws {
        #expect(try Expression(parsing: source).subscriptPath == nil)
    }

    @Test func referencedNamesCoverEveryReadIncludingUnevaluatedBranches() throws {
        let expression = try Expression(parsing: "len(static_input['a']) if predecessor_outputs else [other, None]")
        #expect(expression.referencedNames == ["static_input", "predecessor_outputs", "other"])
        #expect(try Expression(parsing: "len([1, 2]) + True").referencedNames.isEmpty)
    }

    @Test func syntaxErrorsCarryTheirPosition() {
        func position(_ source: String) -> Int? {
            do {
                _ = try Expression(parsing: source)
                return nil
            } catch {
                #expect(error.kind == .syntax)
                return error.position
            }
        }
        #expect(position("x.y") == 1)
        #expect(position("1 + open('f')") == 4)
        #expect(position("[1, 2") == 5)
        #expect(position("lambda: 1") == 0)
        #expect(position("a + 'é' + $") == 10)
    }

    @Test func runtimeErrorsSayWhatIsWrong() {
        func message(_ source: String, _ bindings: [String: JSONValue] = [:]) -> String? {
            do {
                _ = try Expression(parsing: source).evaluate(bindings)
                return nil
            } catch {
                #expect(error.kind == .runtime)
                return error.message
            }
        }
        #expect(message("x") == "name 'x' is not defined")
        #expect(message("{'a': 1}['x']") == "key 'x' not found")
        #expect(message("[1][3]") == "list index 3 out of range")
        #expect(message("'a' + 1") == "unsupported operand type(s) for +: 'str' and 'int'")
        #expect(message("1 // 0") == "integer division or modulo by zero")
        #expect(message("s['k']", ["s": ["j": 1]]) == "key 'k' not found")
    }

    @Test func limitsAreConfigurable() throws {
        let tight = EvaluationLimits(maxSteps: 10, maxDepth: 64, maxResultSize: 1_000_000)
        let sum = try Expression(parsing: "1 + 1 + 1 + 1 + 1 + 1")
        #expect(throws: ExpressionError.self) { try sum.evaluate([:], limits: tight) }
        #expect(try sum.evaluate([:]) == 6)

        let shallow = EvaluationLimits(maxSteps: 1_000, maxDepth: 3, maxResultSize: 1_000_000)
        #expect(throws: ExpressionError.self) { try Expression(parsing: "[[[[1]]]]").evaluate([:], limits: shallow) }

        let small = EvaluationLimits(maxSteps: 1_000, maxDepth: 64, maxResultSize: 10)
        do {
            _ = try Expression(parsing: "'abc' * 4").evaluate([:], limits: small)
            Issue.record("expected a limit error")
        } catch {
            #expect(error.kind == .limit)
        }
    }

    @Test func sourceLengthIsCapped() {
        let long = "x" + String(repeating: " + x", count: 5_000)
        do {
            _ = try Expression(parsing: long)
            Issue.record("expected a limit error")
        } catch {
            #expect(error.kind == .limit)
        }
    }

    @Test func deepNestingIsALimitErrorAtTheFirstLevelTooMany() {
        do {
            _ = try Expression(parsing: String(repeating: "(", count: 4_000) + "1" + String(repeating: ")", count: 4_000))
            Issue.record("expected a limit error")
        } catch {
            #expect(error.kind == .limit)
            #expect(error.message.contains("nested"))
            #expect(error.position == 100)
        }
    }

    @Test func nestingWithinTheCapsEvaluates() throws {
        let nested = String(repeating: "[", count: 40) + "7" + String(repeating: "]", count: 40)
        var expected: JSONValue = 7
        for _ in 0..<40 { expected = [expected] }
        #expect(try Expression(parsing: nested).evaluate([:]) == expected)
        let parenthesized = String(repeating: "(", count: 90) + "7" + String(repeating: ")", count: 90)
        #expect(try Expression(parsing: parenthesized).evaluate([:]) == 7)
    }

    @Test func equalityAndHashingFollowTheSource() throws {
        let a = try Expression(parsing: "1 + 2")
        let b = try Expression(parsing: "1 + 2")
        let c = try Expression(parsing: "1+2")
        #expect(a == b)
        #expect(a != c)
        #expect(Set([a, b, c]).count == 2)
    }

    @Test func errorDescriptionIncludesThePosition() {
        let error = ExpressionError(kind: .syntax, message: "attribute access is not allowed", position: 3)
        #expect(error.description == "attribute access is not allowed (at position 3)")
    }

    @Test func largeBindingsArePassedThroughWithoutCopyingLimits() throws {
        // A path into a big predecessor output is a lookup, not a new value: it is not held to maxResultSize.
        let big = JSONValue.array(Array(repeating: .string(String(repeating: "z", count: 100)), count: 20_000))
        let result = try Expression(parsing: "predecessor_outputs['1']").evaluate(["predecessor_outputs": ["1": big]])
        #expect(result == big)
        #expect(try Expression(parsing: "len(p)").evaluate(["p": big]) == 20_000)
    }
}
