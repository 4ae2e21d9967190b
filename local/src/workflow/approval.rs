//! The human in the loop: when a `.waitForTaskToken` task waits (request-approval has stored
//! its token on the order), the decision is asked at the terminal or taken from a flag, and
//! sent the way a person's would be: an HTTP API `POST /orders/{orderId}/approval` event to
//! decide-approval, which calls SendTaskSuccess/SendTaskFailure with aws-sdk-sfn.

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use sfn_json::{Value, json};
use sfn_local::StateMachine;
use sfn_local::history::Event;
use sfn_local::task::LambdaInvoker;
use tokio::sync::mpsc::UnboundedReceiver;

use super::Approval;
use super::trace::state_name;
use crate::env::{LocalEnv, LocalError};

/// The function a decision goes to (template binary name).
pub const DECIDE_FUNCTION: &str = "decide-approval";
/// How often the order record is read while a task waits for its token to be stored.
const POLL: Duration = Duration::from_millis(20);

pub(super) struct Approver {
    pub env: LocalEnv,
    pub invoker: Arc<dyn LambdaInvoker>,
    pub approval: Approval,
    pub order_id: String,
    /// Names of the states that wait for a task token.
    pub waiting_states: Vec<String>,
    pub quiet: bool,
}

/// Task states (at any depth) whose resource waits for a task token.
pub(super) fn token_states(machine: &StateMachine) -> Vec<String> {
    let mut found = Vec::new();
    for (name, state) in machine.states.iter() {
        if state
            .resource
            .as_deref()
            .is_some_and(|r| r.ends_with(".waitForTaskToken"))
        {
            found.push(name.to_owned());
        }
        for child in state.branches.iter().flatten().chain(state.processor()) {
            found.extend(token_states(child));
        }
    }
    found
}

impl Approver {
    /// Watches the execution's events and answers each approval wait; runs until dropped.
    pub async fn watch(self, mut events: UnboundedReceiver<Event>) -> Result<(), LocalError> {
        let mut waiting = false;
        loop {
            let event = if waiting {
                tokio::select! {
                    event = events.recv() => event,
                    () = tokio::time::sleep(POLL) => {
                        if let Some(total) = self.awaiting().await? {
                            self.decide(total).await?;
                            waiting = false;
                        }
                        continue;
                    }
                }
            } else {
                events.recv().await
            };
            let Some(event) = event else {
                return Ok(());
            };
            let is_token_state = |key| {
                state_name(&event, key).is_some_and(|n| self.waiting_states.iter().any(|w| w == n))
            };
            if is_token_state("stateEnteredEventDetails") && self.approval != Approval::Timeout {
                waiting = true;
            } else if is_token_state("stateExitedEventDetails")
                || event.kind.starts_with("Execution")
            {
                waiting = false;
            }
        }
    }

    /// The order's total when it is awaiting approval with its token stored.
    async fn awaiting(&self) -> Result<Option<u64>, LocalError> {
        let record = self.env.order_record(&self.order_id).await?;
        Ok(record.and_then(|r| {
            let ready = r.get("status").and_then(Value::as_str) == Some("AWAITING_APPROVAL")
                && r.get("taskToken").and_then(Value::as_str).is_some();
            ready.then(|| r.get("totalCents").and_then(Value::as_u64).unwrap_or(0))
        }))
    }

    async fn decide(&self, total_cents: u64) -> Result<(), LocalError> {
        let (approve, approver, comment) = match self.approval {
            Approval::Approve => (true, approver(), "approved with --approve".to_owned()),
            Approval::Reject => (false, approver(), "rejected with --reject".to_owned()),
            Approval::Ask => {
                let order_id = self.order_id.clone();
                tokio::task::spawn_blocking(move || ask(&order_id, total_cents))
                    .await
                    .map_err(|e| LocalError::Approval(e.to_string()))??
            }
            Approval::Timeout => return Ok(()),
        };
        if !self.quiet {
            let word = if approve { "approve" } else { "reject" };
            eprintln!(
                "            ⇢ decide-approval: {word} by {approver} (POST /orders/{}/approval)",
                self.order_id
            );
        }
        let event = approval_request(&self.order_id, approve, &approver, &comment);
        let answer = self
            .invoker
            .invoke(DECIDE_FUNCTION, &event)
            .await
            .map_err(|e| LocalError::Approval(format!("{DECIDE_FUNCTION} failed: {e}")))?;
        match answer.get("statusCode").and_then(Value::as_u64) {
            Some(200) => Ok(()),
            status => Err(LocalError::Approval(format!(
                "{DECIDE_FUNCTION} answered {}: {}",
                status.map_or("no status".to_owned(), |s| s.to_string()),
                answer
                    .get("body")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            ))),
        }
    }
}

fn approver() -> String {
    std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .map_or_else(|| "local-approver".to_owned(), |u| format!("{u}@localhost"))
}

/// Asks at the terminal: `(approve, approver, comment)`.
fn ask(order_id: &str, total_cents: u64) -> Result<(bool, String, String), LocalError> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(LocalError::Approval(format!(
            "order {order_id} waits for approval and stdin is not a terminal to ask on: \
             pass --approve or --reject (or --timeout)"
        )));
    }
    let mut stderr = std::io::stderr();
    let dollars = total_cents / 100;
    let cents = total_cents % 100;
    loop {
        let _ = write!(
            stderr,
            "\n  Order {order_id} (${dollars}.{cents:02}) waits for approval. [a]pprove / [r]eject? "
        );
        let _ = stderr.flush();
        let mut line = String::new();
        let read = stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| LocalError::Approval(format!("reading the answer: {e}")))?;
        if read == 0 {
            return Err(LocalError::Approval(
                "stdin closed before a decision: pass --approve or --reject".into(),
            ));
        }
        match line.trim().to_ascii_lowercase().as_str() {
            "a" | "approve" | "y" | "yes" => {
                return Ok((true, approver(), "approved at the terminal".into()));
            }
            "r" | "reject" | "n" | "no" => {
                return Ok((false, approver(), "rejected at the terminal".into()));
            }
            _ => {}
        }
    }
}

/// The API Gateway HTTP API (payload 2.0) event for `POST /orders/{orderId}/approval`, as
/// an IAM-signed caller sends it (events/decide-approval/05-approve.json).
pub fn approval_request(order_id: &str, approve: bool, approver: &str, comment: &str) -> Value {
    let body = json!({
        "decision": if approve { "approve" } else { "reject" },
        "approver": approver,
        "comment": comment,
    });
    let path = format!("/local/orders/{order_id}/approval");
    let now = chrono::Utc::now();
    json!({
        "version": "2.0",
        "routeKey": "POST /orders/{orderId}/approval",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {
            "content-type": "application/json",
            "host": "localhost",
            "user-agent": "order-local",
        },
        "requestContext": {
            "accountId": sfn_local::template::LOCAL_ACCOUNT,
            "apiId": "local",
            "domainName": "localhost",
            "domainPrefix": "local",
            "http": {
                "method": "POST",
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "order-local",
            },
            "requestId": uuid::Uuid::new_v4().to_string(),
            "routeKey": "POST /orders/{orderId}/approval",
            "stage": "local",
            "time": now.format("%d/%b/%Y:%H:%M:%S +0000").to_string(),
            "timeEpoch": now.timestamp_millis(),
            "authorizer": {"iam": {
                "accessKey": "LOCALACCESSKEY",
                "accountId": sfn_local::template::LOCAL_ACCOUNT,
                "callerId": approver,
                "cognitoIdentity": null,
                "principalOrgId": null,
                "userArn": format!("arn:aws:iam::{}:user/{approver}", sfn_local::template::LOCAL_ACCOUNT),
                "userId": approver,
            }},
        },
        "body": body.to_string(),
        "isBase64Encoded": false,
        "pathParameters": {"orderId": order_id},
    })
}
