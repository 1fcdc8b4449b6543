import SweepExpression
import SweepJSON
import Testing

/// The language, one expression per row. Expected values were checked against CPython 3.
@Suite struct ExpressionTableTests {
    static let seed: [ExpressionCase] = [
        .init("predecessor_outputs['1']['buckets'][0]['count'] >= 4", true),
        .init("predecessor_outputs['1']['buckets'][1]['count'] >= 4", false),
        .init("predecessor_outputs['1']['env_vars']", [["name": "EVAR1", "value": "1"]]),
        .init("predecessor_outputs['1']['tile']", [[0, 1], [2, 3], [4, 5]]),
        .init("predecessor_outputs['1']['tile'][:2]", [[0, 1], [2, 3]]),
        .init("static_input['names'][static_input['n'] - 1]", "z"),
        .init("len(predecessor_outputs['1']['buckets'])", 2),
        .init("predecessor_outputs['2']['none'] is None", true),
        .init("predecessor_outputs['1']['flags']['ok'] and static_input['n'] > 2", true),
    ]

    static let literals: [ExpressionCase] = [
        .init("42", 42), .init("0", 0), .init("1_000", 1000), .init("0x1F", 31), .init("0o17", 15), .init("0b101", 5),
        .init("3.5", 3.5), .init("1e3", 1000.0), .init("1.5e-3", 0.0015), .init(".5", 0.5), .init("1.", 1.0),
        .init("'single'", "single"), .init("\"double\"", "double"), .init("'a\\nb'", "a\nb"), .init("'\\x41\\u00e9'", "Aé"),
        .init("'it\\'s'", "it's"), .init("r'\\n'", "\\n"), .init("'a' 'b'", "ab"), .init("'''tri'ple'''", "tri'ple"),
        .init("True", true), .init("False", false), .init("None", nil),
        .init("[1, 'a', None]", [1, "a", nil]), .init("[]", []), .init("[1, 2,]", [1, 2]),
        .init("{'a': 1, 'b': [2]}", ["a": 1, "b": [2]]), .init("{}", [:]),
        .init("(1, 2)", [1, 2]), .init("()", []), .init("(1,)", [1]), .init("(3)", 3), .init("1, 2", [1, 2]),
    ]

    static let arithmetic: [ExpressionCase] = [
        .init("1 + 2 * 3", 7), .init("(1 + 2) * 3", 9), .init("7 // 2", 3), .init("-7 // 2", -4), .init("7 // -2", -4),
        .init("-7 % 3", 2), .init("7 % -3", -2), .init("7.5 % 2", 1.5), .init("-7.5 // 2", -4.0), .init("1 / 2", 0.5),
        .init("4 / 2", 2.0), .init("2 ** 10", 1024), .init("2 ** -1", 0.5), .init("-2 ** 2", -4), .init("2 ** 3 ** 2", 512),
        .init("2.0 ** 0.5 > 1.41", true), .init("1 + 2.5", 3.5), .init("True + 1", 2), .init("-(-3)", 3), .init("+4", 4),
        .init("10 - 3 - 2", 5), .init("'ab' + 'cd'", "abcd"), .init("[1] + [2, 3]", [1, 2, 3]), .init("'ab' * 3", "ababab"),
        .init("3 * 'ab'", "ababab"), .init("[0] * 3", [0, 0, 0]), .init("'x' * -1", ""), .init("[1, 2] * 0", []),
        .init("1 / 0", fails: .runtime), .init("1 // 0", fails: .runtime), .init("1 % 0", fails: .runtime),
        .init("1.0 / 0.0", fails: .runtime), .init("'a' + 1", fails: .runtime), .init("[1] + 'a'", fails: .runtime),
        .init("'a' - 'b'", fails: .runtime), .init("{} + {}", fails: .runtime), .init("-'a'", fails: .runtime),
        .init("9223372036854775807 + 1", fails: .runtime), .init("-9223372036854775807 - 2", fails: .runtime),
        .init("3037000500 * 3037000500", fails: .runtime), .init("0 ** -1", fails: .runtime), .init("'%s' % 1", fails: .runtime),
    ]

    static let comparisons: [ExpressionCase] = [
        .init("1 < 2", true), .init("2 <= 1", false), .init("1 < 2 <= 3", true), .init("1 < 3 <= 2", false),
        .init("3 > 2 > 1", true), .init("1 == 1.0", true), .init("True == 1", true), .init("1 != 2", true),
        .init("[1, [2]] == [1.0, [2]]", true), .init("{'a': 1} == {'a': 1}", true), .init("{'a': 1} == {'a': 2}", false),
        .init("'abc' < 'abd'", true), .init("'Z' < 'a'", true), .init("[1, 2] < [1, 3]", true), .init("[1, 2] < [1, 2, 0]", true),
        .init("None == None", true), .init("None == 0", false), .init("'1' == 1", false),
        .init("'b' in 'abc'", true), .init("'' in 'abc'", true), .init("'d' not in 'abc'", true), .init("2 in [1, 2]", true),
        .init("2.0 in [1, 2]", true), .init("'a' in {'a': 1}", true), .init("1 in {'a': 1}", false),
        .init("None is None", true), .init("1 is not None", true), .init("static_input is None", false),
        .init("1 < 'a'", fails: .runtime), .init("[1] < 'a'", fails: .runtime), .init("1 in 'abc'", fails: .runtime),
        .init("1 in 5", fails: .runtime), .init("{} < {}", fails: .runtime),
    ]

    static let logic: [ExpressionCase] = [
        .init("1 and 2", 2), .init("0 and 2", 0), .init("0 or 'x'", "x"), .init("'' or [] or None", nil),
        .init("not 0", true), .init("not [1]", false), .init("not 1 == 2", true),
        .init("False and undefined_name", false), .init("True or undefined_name", true),
        .init("'yes' if 1 < 2 else 'no'", "yes"), .init("'yes' if [] else 'no'", "no"),
        .init("1 if False else 2 if False else 3", 3), .init("1 if True else undefined_name", 1),
        .init("bool({})", false), .init("bool(0.0)", false), .init("bool('0')", true),
    ]

    static let subscripts: [ExpressionCase] = [
        .init("[1, 2, 3][-1]", 3), .init("[1, 2, 3][1:]", [2, 3]), .init("[1, 2, 3][::-1]", [3, 2, 1]),
        .init("[0, 1, 2, 3, 4, 5][1:5:2]", [1, 3]), .init("[0, 1, 2, 3][-3:-1]", [1, 2]), .init("[1, 2][5:]", []),
        .init("[0, 1, 2, 3, 4][10:0:-2]", [4, 2]), .init("'hello'[1]", "e"), .init("'hello'[-1]", "o"),
        .init("'hello'[1:3]", "el"), .init("'hello'[::-1]", "olleh"), .init("'héllo'[1]", "é"), .init("[1, 2][True]", 2),
        .init("{'a': {'b': 7}}['a']['b']", 7),
        .init("[1][1]", fails: .runtime), .init("[1][-2]", fails: .runtime), .init("''[0]", fails: .runtime),
        .init("{'a': 1}['b']", fails: .runtime), .init("[1]['a']", fails: .runtime), .init("None[0]", fails: .runtime),
        .init("5[0]", fails: .runtime), .init("[1, 2][::0]", fails: .runtime), .init("{'a': 1}[1:2]", fails: .runtime),
        .init("predecessor_outputs['9']", fails: .runtime), .init("undefined_name", fails: .runtime),
    ]

    static let builtins: [ExpressionCase] = [
        .init("len('héllo')", 5), .init("len([1, 2])", 2), .init("len({'a': 1})", 1), .init("len(5)", fails: .runtime),
        .init("int('12')", 12), .init("int(' -7 ')", -7), .init("int(3.9)", 3), .init("int(-3.9)", -3), .init("int(True)", 1),
        .init("int()", 0), .init("int('3.5')", fails: .runtime), .init("int('abc')", fails: .runtime), .init("int([])", fails: .runtime),
        .init("float('2.5')", 2.5), .init("float(2)", 2.0), .init("float('1e3')", 1000.0), .init("float('x')", fails: .runtime),
        .init("str(3.0)", "3.0"), .init("str(True)", "True"), .init("str(None)", "None"), .init("str([1, 'a'])", "[1, 'a']"),
        .init("str(12)", "12"), .init("str('s')", "s"), .init("str({'k': [None, 1.5]})", "{'k': [None, 1.5]}"),
        .init("str(1e16)", "1e+16"), .init("str(0.0001)", "0.0001"), .init("str(1e-05)", "1e-05"), .init("str(0.1 + 0.2)", "0.30000000000000004"),
        .init("str(123456789.0)", "123456789.0"), .init("str(-2.5e-10)", "-2.5e-10"), .init("str([\"it's\"])", "[\"it's\"]"),
        .init("bool([])", false), .init("bool(3)", true),
        .init("min([3, 1, 2])", 1), .init("max(3, 7, 5)", 7), .init("max('abc')", "c"), .init("min(2, 1.5)", 1.5),
        .init("max([])", fails: .runtime), .init("max(1, 'a')", fails: .runtime),
        .init("sum([1, 2, 3])", 6), .init("sum([1, 2.5])", 3.5), .init("sum([1], 10)", 11), .init("sum([])", 0),
        .init("sum(['a'])", fails: .runtime), .init("abs(-3)", 3), .init("abs(-2.5)", 2.5), .init("abs('a')", fails: .runtime),
        .init("round(2.5)", 2), .init("round(3.5)", 4), .init("round(-0.5)", 0), .init("round(2.675, 2)", 2.67),
        .init("round(1234, -2)", 1200), .init("round(1250, -2)", 1200), .init("round(1350, -2)", 1400), .init("round(7)", 7),
        .init("sorted([3, 1, 2])", [1, 2, 3]), .init("sorted(['b', 'a'])", ["a", "b"]), .init("sorted('cab')", ["a", "b", "c"]),
        .init("sorted({'b': 1, 'a': 2})", ["a", "b"]), .init("sorted([1, 'a'])", fails: .runtime),
        .init("range(4)", [0, 1, 2, 3]), .init("range(1, 4)", [1, 2, 3]), .init("range(10, 0, -3)", [10, 7, 4, 1]),
        .init("range(0)", []), .init("range(3, 1)", []), .init("range(1, 2, 0)", fails: .runtime),
        .init("any([0, '', 3])", true), .init("any([])", false), .init("all([1, 'a'])", true), .init("all([1, 0])", false),
        .init("sum(range(101))", 5050), .init("'' * 10**18", ""), .init("[] * 10**18", []),
        .init("round(1.5, -9223372036854775807 - 1)", 0.0), .init("round(15, -9223372036854775807 - 1)", 0),
        .init("round(1.5, 9223372036854775807)", 1.5), .init("range(-9223372036854775807 - 1, 9223372036854775807, 2**62)", [-9223372036854775808, -4611686018427387904, 0, 4611686018427387904]),
        .init("[1, 2, 3][-9223372036854775807 - 1:9223372036854775807:-9223372036854775807 - 1]", []),
        .init("[1, 2, 3][9223372036854775807::-9223372036854775807]", [3]),
        .init("(-9223372036854775807 - 1) // -1", fails: .runtime), .init("(-9223372036854775807 - 1) % -1", 0),
        .init("-(-9223372036854775807 - 1)", fails: .runtime), .init("abs(-9223372036854775807 - 1)", fails: .runtime),
        .init("int(1e300)", fails: .runtime), .init("int(float('nan'))", fails: .runtime), .init("round(float('inf'))", fails: .runtime), .init("max(predecessor_outputs['2']['items'])", 3),
    ]

    /// Refused by the parser: nothing outside the subset ever reaches the evaluator.
    static let refused: [ExpressionCase] = [
        .init("__import__('os')", fails: .syntax), .init("().__class__.__bases__", fails: .syntax),
        .init("open('/etc/passwd')", fails: .syntax), .init("exec('1')", fails: .syntax), .init("eval('1')", fails: .syntax),
        .init("lambda: 1", fails: .syntax), .init("(lambda x: x)(1)", fails: .syntax), .init("x.y", fails: .syntax),
        .init("''.join(['a'])", fails: .syntax), .init("static_input.keys()", fails: .syntax),
        .init("[x for x in [1]]", fails: .syntax), .init("(y := 1)", fails: .syntax), .init("[*[1]]", fails: .syntax),
        .init("f'{1}'", fails: .syntax), .init("b'x'", fails: .syntax), .init("sorted([1], reverse=True)", fails: .syntax),
        .init("getattr(1, 'x')", fails: .syntax), .init("len(1, 2)", fails: .syntax), .init("range()", fails: .syntax),
        .init("len[0]()", fails: .syntax), .init("1 | 2", fails: .syntax), .init("~1", fails: .syntax),
        .init("import os", fails: .syntax), .init("x = 1", fails: .syntax), .init("", fails: .syntax),
        .init("1 +", fails: .syntax), .init("(1", fails: .syntax), .init("'abc", fails: .syntax), .init("1 2", fails: .syntax),
        .init("{1, 2}", fails: .syntax), .init("1j", fails: .syntax), .init("01", fails: .syntax), .init("a if b", fails: .syntax),
        .init("$", fails: .syntax), .init("1 if 2 else", fails: .syntax),
    ]

    /// Hostile expressions: each must be refused with `.limit` quickly, before allocating.
    static let bounded: [ExpressionCase] = [
        .init("'a' * 10**10", fails: .limit), .init("[0] * 10**9", fails: .limit), .init("range(10**12)", fails: .limit),
        .init("10**10**10", fails: .limit), .init("'x'*1000000*1000000", fails: .limit), .init("sorted(range(10**9))", fails: .limit),
        .init("len(range(10**18))", fails: .limit), .init("2 ** 64", fails: .limit), .init("10.0 ** 400", fails: .limit),
        .init("99999999999999999999", fails: .limit),
        .init(String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000), fails: .limit),
        .init(String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000), fails: .limit),
        .init(String(repeating: "(", count: 4_000) + "1" + String(repeating: ")", count: 4_000), fails: .limit),
        .init(String(repeating: "[", count: 4_999) + String(repeating: "]", count: 4_999), fails: .limit),
        .init(String(repeating: "{'a': ", count: 1_400) + "1" + String(repeating: "}", count: 1_400), fails: .limit),
        .init("len(" + String(repeating: "-(", count: 2_000) + "1" + String(repeating: ")", count: 2_000) + ")", fails: .limit),
        .init("x" + String(repeating: "[0]", count: 3_000), fails: .limit),
        .init(String(repeating: "1 if 1 else ", count: 800) + "1", fails: .limit),
        .init(String(repeating: "-", count: 5_000) + "1", fails: .limit),
        .init(String(repeating: "not ", count: 2_000) + "1", fails: .limit),
        .init(Array(repeating: "1", count: 3_000).joined(separator: "+"), fails: .limit),
        .init("1" + String(repeating: " ", count: 20_000), fails: .limit),
        .init("'ab' * 400000 + 'ab' * 400000", fails: .limit),
        .init("['x' * 900000, 'x' * 900000]", fails: .limit),
        .init("str(range(900000))", fails: .limit),
        .init("[0] * 500000 == [0] * 500000", fails: .limit),
        .init("len(" + Array(repeating: "'a' * 999999", count: 40).joined(separator: " + ") + ")", fails: .limit),
    ]

    static let all: [ExpressionCase] = seed + literals + arithmetic + comparisons + logic + subscripts + builtins + refused + bounded

    @Test func tableIsLarge() {
        #expect(Self.all.count >= 150)
    }

    @Test(arguments: all)
    func evaluates(_ row: ExpressionCase) {
        let started = threadCPUSeconds()
        let result: Result<JSONValue, ExpressionError> = Result { () throws(ExpressionError) -> JSONValue in
            try Expression(parsing: row.source).evaluate(ExpressionCase.bindings)
        }
        #expect(threadCPUSeconds() - started < 1, "took too long")
        switch (row.outcome, result) {
        case (.value(let expected), .success(let actual)):
            #expect(actual == expected)
            // JSONValue's == keeps 2 and 2.0 apart only by case; check the case too so int/float stay distinct.
            #expect(actual.jsonString == expected.jsonString)
        case (.error(let kind), .failure(let error)):
            #expect(error.kind == kind, "\(error)")
        case (.value(let expected), .failure(let error)):
            Issue.record("expected \(expected.jsonString), got error \(error)")
        case (.error(let kind), .success(let actual)):
            Issue.record("expected a \(kind) error, got \(actual.jsonString)")
        }
    }
}
