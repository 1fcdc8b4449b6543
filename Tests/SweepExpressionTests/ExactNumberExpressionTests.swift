import SweepExpression
import SweepJSON
import Testing

/// Numbers kept exactly (`.exactNumber`, README "Numbers are kept exactly") inside expressions: passed on
/// unchanged they keep every digit; arithmetic uses their Double approximation, as JavaScript would.
@Suite struct ExactNumberExpressionTests {
    let outputs: [String: JSONValue]

    init() throws {
        outputs = ["predecessor_outputs": ["a": try JSONParser.parse(#"{"n": 18446744073709551617, "x": 3.14159265358979323846264338, "m": 18446744073709551616}"#)]]
    }

    func evaluate(_ source: String) throws -> JSONValue {
        try Expression(parsing: source).evaluate(outputs)
    }

    @Test func passingAValueOnKeepsEveryDigit() throws {
        #expect(try evaluate("predecessor_outputs['a']['n']").jsonString == "18446744073709551617")
        #expect(try evaluate("[predecessor_outputs['a']['x']]").jsonString == "[3.14159265358979323846264338]")
        #expect(try evaluate("str(predecessor_outputs['a']['n'])") == .string("18446744073709551617"))
        #expect(try evaluate("str(predecessor_outputs['a']['x'])") == .string("3.14159265358979323846264338"))
    }

    @Test func typesFollowTheLiteral() throws {
        // No type() builtin: the int/float distinction shows in error messages.
        func message(_ source: String) -> String? {
            do { _ = try evaluate(source); return nil } catch let error as ExpressionError { return error.message } catch { return nil }
        }
        #expect(message("predecessor_outputs['a']['n'] + 'x'")?.contains("'int' and 'str'") == true)
        #expect(message("predecessor_outputs['a']['x'] + 'x'")?.contains("'float' and 'str'") == true)
    }

    @Test func arithmeticIsInDoublePrecision() throws {
        #expect(try evaluate("predecessor_outputs['a']['n'] + 1") == .double(18446744073709551617.0 + 1))
        #expect(try evaluate("predecessor_outputs['a']['x'] * 2") == .double(3.141592653589793 * 2))
        #expect(try evaluate("float(predecessor_outputs['a']['x'])") == .double(3.141592653589793))
        #expect(try evaluate("predecessor_outputs['a']['x'] > 3") == .bool(true))
        #expect(throws: ExpressionError.self) { try evaluate("int(predecessor_outputs['a']['n'])") }
    }

    @Test func exactNumbersCompareExactlyWithEachOther() throws {
        // Their Doubles are equal; their values are not.
        #expect(try evaluate("predecessor_outputs['a']['n'] == predecessor_outputs['a']['m']") == .bool(false))
        #expect(try evaluate("predecessor_outputs['a']['n'] == predecessor_outputs['a']['n']") == .bool(true))
        #expect(try evaluate("bool(predecessor_outputs['a']['x'])") == .bool(true))
    }
}
