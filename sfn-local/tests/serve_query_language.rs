//! `ValidateStateMachineDefinition` and `CreateStateMachine` apply AWS's QueryLanguage rules
//! (floci-io/floci#2968) with AWS's code and locations, through the real aws-sdk-sfn client.

mod serve_common;

use aws_sdk_sfn::Client;
use serve_common::{code, lambdas, start, validation_report};
use sfn_json::{Value, json};

async fn diagnostics(client: &Client, definition: &Value) -> Vec<(String, Option<String>)> {
    validation_report(client, definition).await.1
}

fn failed(location: &str) -> (String, Option<String>) {
    (
        "SCHEMA_VALIDATION_FAILED".to_owned(),
        Some(location.to_owned()),
    )
}

#[tokio::test]
async fn the_query_language_rules_are_reported_at_aws_locations() {
    let (lambdas, _) = lambdas();
    let server = start(lambdas);
    let client = server.client().await;

    // The Map's JSONata does not reach its item processor: the inner Output is refused there.
    let inner_output = json!({"QueryLanguage": "JSONPath", "StartAt": "M", "States": {
        "M": {"Type": "Map", "QueryLanguage": "JSONata", "Items": "{% [1] %}",
            "ItemProcessor": {"StartAt": "P", "States": {
                "P": {"Type": "Pass", "Output": {"v": "{% 1 %}"}, "End": true}}},
            "End": true}}});
    assert_eq!(
        diagnostics(&client, &inner_output).await,
        [failed("/States/M/ItemProcessor/States/P")]
    );

    let downgrade = json!({"QueryLanguage": "JSONata", "StartAt": "X", "States": {
        "X": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": true}}});
    assert_eq!(
        diagnostics(&client, &downgrade).await,
        [failed("/States/X")]
    );

    let on_the_processor = json!({"StartAt": "M", "States": {
        "M": {"Type": "Map", "ItemProcessor": {"QueryLanguage": "JSONPath", "StartAt": "P",
            "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}});
    assert_eq!(
        diagnostics(&client, &on_the_processor).await,
        [failed("/States/M/ItemProcessor")]
    );

    let refused = client
        .create_state_machine()
        .name("Downgrade")
        .role_arn("arn:aws:iam::123456789012:role/r")
        .definition(downgrade.to_string())
        .send()
        .await;
    assert_eq!(code(refused), "InvalidDefinition");
}
