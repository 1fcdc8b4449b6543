"""Numbers are kept exactly through the client (README, "Numbers are kept exactly"): an integer of any size, and
a decimal a float cannot reproduce, which the client reads as a `decimal.Decimal` and writes digit for digit."""
import decimal

from conftest import local_function, one_task_workflow
from sweep_client import SweepClient
from sweep_client import exact_json

D = decimal.Decimal
VALUES = {"big": 2 ** 70, "neg": -(10 ** 30) - 1, "pi": D("3.14159265358979323846264338"), "huge": D("1E+400"),
          "tiny": D("1E-400"), "plain": 0.1, "third": 1 / 3, "int": 7}


def test_floats_stay_floats_and_only_what_a_float_would_change_is_a_decimal():
    value = exact_json.loads('[0.1, 0.30000000000000004, 2.5e-07, 1e300, 3.14159265358979323846264338, 1e400, 1e-400, '
                             '18446744073709551616, 1.5]')
    assert [type(v) for v in value] == [float, float, float, float, D, D, D, int, float]
    assert value[4] == D("3.14159265358979323846264338") and value[5] == D("1e400")
    assert exact_json.loads(exact_json.dumps(value)) == value
    assert exact_json.dumps({"a": [D("1.10"), {"b": D("-2E+5")}], "c": "x"}) == '{"a": [1.10, {"b": -2E+5}], "c": "x"}'


def test_a_local_python_function_gets_and_returns_exact_numbers(stack, account):
    client = SweepClient(stack.url, account.key)
    local_function(client, "echo_exact", "import decimal\n"
                   "def handler(event, context):\n"
                   "    kinds = {k: type(v).__name__ for k, v in event['launch_input'].items()}\n"
                   "    return {'input': event['launch_input'], 'kinds': kinds}\n")
    client.register_workflow(one_task_workflow("exact", "echo_exact"))
    done = client.launch("exact", input=VALUES, wait=30)
    assert done["state"] == "succeeded", done
    assert done["input"] == VALUES
    output = done["tasks"][0]["output"]
    assert output["input"] == VALUES
    # Sweep writes numbers as PostgreSQL does, without an exponent: 1E+400 arrives as its 401 digits, an int.
    assert output["kinds"] == {"big": "int", "neg": "int", "pi": "Decimal", "huge": "int", "tiny": "Decimal",
                               "plain": "float", "third": "float", "int": "int"}
    assert client.launch_status(done["launch_id"])["tasks"][0]["output"]["input"] == VALUES
