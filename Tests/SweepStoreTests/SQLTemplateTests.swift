import Postgres
import SweepStore
import Testing

/// A template is numbered once at init (`SQLTemplate.query` then only looks values up): names become `$n` by first
/// use, a repeated name reuses its number, and everything else (`$1`, `$$`, non-ASCII text) is left as written.
struct SQLTemplateTests {
    let template = SQLTemplate("""
        SELECT $b::int, 'é$a' AS "ü", $a_2::text, $b, $1, $$ x $$, $ , $Z, $a
        """)

    @Test func namesAreNumberedByFirstUseAndBoundInThatOrder() {
        let query = template.query(["a": 1.postgresBind, "b": 2.postgresBind, "a_2": "x".postgresBind, "unused": 9.postgresBind])
        #expect(query.sql == """
            SELECT $1::int, 'é$2' AS "ü", $3::text, $1, $1, $$ x $$, $ , $Z, $2
            """)
        #expect(query.binds == [2.postgresBind, 1.postgresBind, "x".postgresBind])
        #expect(template.inputs == ["b", "a", "a_2"])
    }

    @Test func eachQueryBindsItsOwnValues() {
        #expect(template.query(["a": 5.postgresBind, "b": 6.postgresBind, "a_2": "y".postgresBind]).binds
            == [6.postgresBind, 5.postgresBind, "y".postgresBind])
    }

    @Test func plpgsqlPutsExpressionsInPlaceOfNames() {
        #expect(template.plpgsql(["a": "p_a", "b": "v_b", "a_2": "p_x"]) == """
            SELECT v_b::int, 'ép_a' AS "ü", p_x::text, v_b, $1, $$ x $$, $ , $Z, p_a
            """)
    }
}
