/// What a launch's status takes from the launch row (`LaunchStatusQuery.head`): the summary, the input and output as
/// JSON text to splice (a scatter's input is often a list of thousands of elements: parsing it only to serialise it
/// again was once the largest cost of a status), and each labelled or typed task's extra members.
public struct LaunchStatusHead {
    public let summary: LaunchSummary
    public let input: [UInt8]
    public let output: [UInt8]
    /// Task id to the JSON object text of its v1.1 `label`, `description` and `type` (`{"type": "timer"}`), for the
    /// tasks of the launch's definition snapshot that have any of them (most have none).
    let taskTexts: [String: [UInt8]]
}
