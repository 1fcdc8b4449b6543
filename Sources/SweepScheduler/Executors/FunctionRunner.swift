/// Small programs that call an uploaded function's `main.handler(event, context)` the way a function platform
/// does: the event arrives on stdin, the handler's own prints are the run's stdout and stderr, and its JSON result
/// is written last to fd 3 (`ProcessSpec.resultChannel`), a pipe of its own, so no print can corrupt it and no
/// result hides the prints. Exit 0 with nothing on fd 3 fails the run.
enum FunctionRunner {
    /// How to run a runtime named in a function definition, or nil when this host cannot.
    static func program(runtime: String, functionName: String) -> (arguments: [String], files: [String: [UInt8]])? {
        if runtime.hasPrefix("python") {
            return (["python3", "-I", "sweep_runner.py"], ["sweep_runner.py": Array(python.utf8)])
        }
        if runtime.hasPrefix("nodejs") || runtime == "node" {
            return (["/bin/sh", "-c", "unzip -q code.zip -d code && exec node sweep_runner.js"], ["sweep_runner.js": Array(node.utf8)])
        }
        return nil
    }

    /// Imports `main` straight from the archive (zipimport), so nothing is extracted. Numbers are kept exactly (as
    /// the Python client's `exact_json` does): a decimal a float cannot reproduce (`3.14159265358979323846264338`,
    /// `1e400`) reaches the handler as a `decimal.Decimal`, and a Decimal in its result is written digit for digit.
    static let python = """
        import decimal, json, os, sys, traceback, types, uuid
        sys.path.insert(0, os.path.abspath("code.zip"))
        # fd 3 is the result's pipe: taken now and kept from the handler's subprocesses.
        os.set_inheritable(3, False)
        result_out = os.fdopen(3, "wb")
        # Line by line, as stderr: prints and ::progress:: lines reach the live log as they are made.
        sys.stdout.reconfigure(line_buffering=True)
        def exact_number(text):
            value = float(text)
            if len(text) <= 16 and "e" not in text and "E" not in text:
                return value
            exact = decimal.Decimal(text)
            if value != value or value in (float("inf"), float("-inf")) or decimal.Decimal(repr(value)) != exact:
                return exact
            return value
        def exact_dumps(value):
            marker, decimals = "sweep-decimal-" + uuid.uuid4().hex + "-", []
            def swap(item):
                if isinstance(item, decimal.Decimal) and item.is_finite():
                    decimals.append(item)
                    return marker + str(len(decimals) - 1)
                if isinstance(item, dict):
                    return {key: swap(member) for key, member in item.items()}
                if isinstance(item, (list, tuple)):
                    return [swap(member) for member in item]
                return item
            text = json.dumps(swap(value))
            for index in range(len(decimals) - 1, -1, -1):
                text = text.replace('"' + marker + str(index) + '"', str(decimals[index]))
            return text
        try:
            import main
            event = json.loads(sys.stdin.read() or "null", parse_float=exact_number)
            context = types.SimpleNamespace(function_name=os.environ.get("SWEEP_FUNCTION_NAME", ""),
                                            aws_request_id=os.environ.get("SWEEP_RUN_ID", ""),
                                            run_id=os.environ.get("SWEEP_RUN_ID", ""),
                                            launch_id=os.environ.get("SWEEP_LAUNCH_ID", ""))
            result = main.handler(event, context)
            text = exact_dumps(result)
        except BaseException:
            traceback.print_exc()
            sys.exit(1)
        sys.stdout.flush()
        result_out.write(text.encode())
        result_out.close()
        """

    static let node = """
        const fs = require('fs'), path = require('path');
        // fd 3 is the result's pipe; blocking, so a partial write only means "write the rest".
        const writeResult = (text) => {
            const bytes = Buffer.from(text, 'utf8');
            for (let done = 0; done < bytes.length;) done += fs.writeSync(3, bytes, done);
            fs.closeSync(3);
        };
        let mod;
        try { mod = require(path.resolve('code', fs.existsSync('code/main.js') ? 'main.js' : 'index.js')); }
        catch (e) { console.error(e && e.stack || String(e)); process.exit(1); }
        const event = JSON.parse(fs.readFileSync(0, 'utf8') || 'null');
        const context = { functionName: process.env.SWEEP_FUNCTION_NAME, runId: process.env.SWEEP_RUN_ID, launchId: process.env.SWEEP_LAUNCH_ID };
        Promise.resolve().then(() => mod.handler(event, context))
            .then((r) => writeResult(JSON.stringify(r === undefined ? null : r)))
            .catch((e) => { console.error(e && e.stack || String(e)); process.exit(1); });
        """
}
