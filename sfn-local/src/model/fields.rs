//! Which fields each state type accepts (AWS rejects the others at CreateStateMachine).

use super::{QueryLanguage, StateType};

const COMMON: &[&str] = &["Type", "Comment", "QueryLanguage"];
const JSONPATH_IO: &[&str] = &["InputPath", "OutputPath"];
const JSONATA_IO: &[&str] = &["Output", "Assign"];
const TRANSITION: &[&str] = &["Next", "End"];

/// The fields a state of `kind` may have under `language` (besides the common ones).
pub fn allowed_fields(kind: StateType, language: QueryLanguage) -> Vec<&'static str> {
    let mut fields: Vec<&'static str> = COMMON.to_vec();
    let jsonpath = language == QueryLanguage::JSONPath;
    if jsonpath && !matches!(kind, StateType::Fail) {
        fields.extend_from_slice(JSONPATH_IO);
    }
    if !matches!(kind, StateType::Fail | StateType::Succeed) {
        // Assign is allowed in both languages; Output only in JSONata.
        fields.push("Assign");
    }
    if !jsonpath && !matches!(kind, StateType::Fail) {
        fields.extend_from_slice(JSONATA_IO);
    }
    let specific: &[&str] = match kind {
        StateType::Pass => &["Result", "ResultPath", "Parameters"],
        StateType::Task => &[
            "Resource",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "Arguments",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            "Credentials",
            "Retry",
            "Catch",
        ],
        StateType::Choice => &["Choices", "Default"],
        StateType::Wait => &["Seconds", "Timestamp", "SecondsPath", "TimestampPath"],
        StateType::Succeed => &[],
        StateType::Fail => &["Error", "Cause", "ErrorPath", "CausePath"],
        StateType::Parallel => &[
            "Branches",
            "Parameters",
            "Arguments",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
        ],
        StateType::Map => &[
            "ItemProcessor",
            "Iterator",
            "ItemsPath",
            "Items",
            "ItemSelector",
            "Parameters",
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
            "ResultSelector",
            "ResultPath",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            "Label",
            "Retry",
            "Catch",
        ],
    };
    fields.extend_from_slice(specific);
    if !matches!(
        kind,
        StateType::Choice | StateType::Succeed | StateType::Fail
    ) {
        fields.extend_from_slice(TRANSITION);
    }
    fields
}
