import SweepExpression
import SweepJSON

/// A container task's command for one run: the fixed list, or the value of its expression, which must be a
/// non-empty list of strings (anything else fails that run with `command_failed`, naming what it got).
enum CommandEvaluation {
    static func arguments(_ command: CommandProperty?, input: [String: JSONValue], taskID: String) -> Result<[String]?, TaskRunError> {
        switch command {
        case nil: return .success(nil)
        case .arguments(let list)?: return .success(list)
        case .expression(let expression)?:
            let value: JSONValue
            do {
                value = try expression.evaluate(input)
            } catch {
                return .failure(TaskRunError(code: .commandFailed,
                    message: "command of task \(taskID) could not be evaluated: \(error.description) in \(expression.source)"))
            }
            guard case .array(let items) = value, !items.isEmpty else {
                return .failure(TaskRunError(code: .commandFailed,
                    message: "command of task \(taskID) must give a non-empty list of strings, but \(expression.source) gave \(describe(value))"))
            }
            guard items.count <= ModelLimits.maxCommandArguments else {
                return .failure(TaskRunError(code: .commandFailed,
                    message: "command of task \(taskID) gave \(items.count) arguments, more than the limit of \(ModelLimits.maxCommandArguments)"))
            }
            var arguments: [String] = []
            for (index, item) in items.enumerated() {
                // NUL cannot be passed to execve; it would cut the argument short.
                guard case .string(let argument) = item, !argument.utf8.contains(0) else {
                    return .failure(TaskRunError(code: .commandFailed,
                        message: "command of task \(taskID) must give a list of strings, but item \(index) of \(expression.source) is \(describe(item))"))
                }
                arguments.append(argument)
            }
            return .success(arguments)
        }
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .array(let items) where items.isEmpty: "an empty list"
        case .object: "a dict"
        case .string(let text) where text.utf8.contains(0): "a string containing NUL"
        default: "a \(value.typeName)"
        }
    }
}
