//! One function per API operation; shared request reading and pagination.

mod definitions;
mod executions;
mod history;
mod machines;
mod tasks;

use serde::de::DeserializeOwned;
use sfn_json::{Map, Value};

use super::Service;
use super::error::ApiError;

pub type Reply = Result<Map, ApiError>;

/// Run the operation `op` on a request body.
pub fn dispatch(service: &Service, op: &str, body: Map) -> Reply {
    match op {
        "CreateStateMachine" => machines::create(service, read(body)?),
        "DescribeStateMachine" => machines::describe(service, read(body)?),
        "ListStateMachines" => machines::list(service, read(body)?),
        "DeleteStateMachine" => machines::delete(service, read(body)?),
        "StartExecution" => executions::start(service, read(body)?),
        "DescribeExecution" => executions::describe(service, read(body)?),
        "ListExecutions" => executions::list(service, read(body)?),
        "StopExecution" => executions::stop(service, read(body)?),
        "GetExecutionHistory" => history::get(service, read(body)?),
        "DescribeStateMachineForExecution" => {
            definitions::describe_for_execution(service, read(body)?)
        }
        "ValidateStateMachineDefinition" => definitions::validate_definition(service, read(body)?),
        "SendTaskSuccess" => tasks::success(service, read(body)?),
        "SendTaskFailure" => tasks::failure(service, read(body)?),
        "SendTaskHeartbeat" => tasks::heartbeat(service, read(body)?),
        other => Err(ApiError::UnknownOperation(format!(
            "Operation {other} is not supported by sfn-local"
        ))),
    }
}

/// A request shape from its JSON body; a member of the wrong JSON type is a
/// SerializationException naming it.
fn read<T: DeserializeOwned>(body: Map) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(serde_json::Value::from(Value::Object(body)))
        .map_err(|e| ApiError::Serialization(format!("member '{}': {}", e.path(), e.inner())))
}

/// A member AWS requires.
fn required<T>(value: Option<T>, member: &str) -> Result<T, ApiError> {
    value.ok_or_else(|| ApiError::missing(member))
}

/// A reply object from `(key, value)` pairs, leaving out `None`s.
fn object<const N: usize>(fields: [(&str, Option<Value>); N]) -> Map {
    fields
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
        .collect()
}

/// AWS's page size when `maxResults` is 0 or absent, and its largest.
const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: i64 = 1000;

/// One page of `items` after `next_token`, and the token of the page after it.
fn paginate<T>(
    items: Vec<T>,
    max_results: Option<i64>,
    next_token: Option<&str>,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let size = match max_results {
        None | Some(0) => DEFAULT_PAGE,
        Some(n @ 1..=MAX_PAGE) => usize::try_from(n).unwrap_or(DEFAULT_PAGE),
        Some(n) => {
            return Err(ApiError::Validation(format!(
                "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy \
                 constraint: Member must have value between 0 and {MAX_PAGE}"
            )));
        }
    };
    let start = match next_token {
        None => 0,
        Some(token) => token
            .strip_prefix("page-")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|&n| n <= items.len())
            .ok_or_else(|| ApiError::InvalidToken(format!("Invalid Token: '{token}'")))?,
    };
    let end = start.saturating_add(size).min(items.len());
    let next = (end < items.len()).then(|| format!("page-{end}"));
    let page = items.into_iter().skip(start).take(end - start).collect();
    Ok((page, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_their_tokens() {
        let items: Vec<u32> = (0..5).collect();
        let (first, next) = paginate(items.clone(), Some(2), None).unwrap_or_default();
        assert_eq!((first, next.as_deref()), (vec![0, 1], Some("page-2")));
        let (last, next) = paginate(items.clone(), Some(3), Some("page-2")).unwrap_or_default();
        assert_eq!((last, next), (vec![2, 3, 4], None));
        assert!(matches!(
            paginate(items.clone(), None, Some("x")),
            Err(ApiError::InvalidToken(_))
        ));
        assert!(matches!(
            paginate(items, Some(1001), None),
            Err(ApiError::Validation(_))
        ));
    }

    #[test]
    fn wrong_member_types_are_serialization_errors() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct R {
            name: Option<String>,
        }
        let body = sfn_json::json!({"name": 5});
        let Value::Object(body) = body else {
            return;
        };
        let result: Result<R, _> = read(body);
        assert!(matches!(result, Err(ApiError::Serialization(m)) if m.contains("name")));
    }
}
