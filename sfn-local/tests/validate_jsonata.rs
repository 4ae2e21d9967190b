//! `sfn-local validate` and `execute` refuse JSONata that AWS refuses at CreateStateMachine,
//! with AWS's code, message and location, before running anything.

mod cli_support;

use cli_support::sfn_local;

use std::path::PathBuf;

use sfn_json::{Value, json};

fn temp_file(name: &str, content: &Value) -> PathBuf {
    cli_support::temp_file("validate", name, content)
}

fn machine(output: Value) -> Value {
    json!({"QueryLanguage": "JSONata", "StartAt": "E", "States": {
        "E": {"Type": "Pass", "Output": output, "End": true}
    }})
}

#[test]
fn a_top_level_reference_and_a_syntax_error_are_refused_with_their_locations() {
    let def = temp_file(
        "refused.json",
        &machine(json!({"v": "{% phone[0] %}", "w": {"x": ["{% a[1,2) %}"]}})),
    );
    for command in ["validate", "execute"] {
        let out = sfn_local(&[command, def.to_str().unwrap_or_default()]);
        assert!(!out.status.success(), "{command}");
        assert!(out.stdout.is_empty(), "{command} ran the machine");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(
                "State 'E': field 'Output/v': UNSUPPORTED_JSONATA_EXPRESSION: Reference to \
                 'phone' at the top level is not supported. at /States/E/Output/v"
            ),
            "{stderr}"
        );
        assert!(
            stderr.contains(
                "INVALID_JSONATA_EXPRESSION: Expected \"]\", got \",\" at /States/E/Output/w/x[0]"
            ),
            "{stderr}"
        );
    }
}

#[test]
fn the_anchored_forms_validate_and_run() {
    let def = temp_file(
        "accepted.json",
        &machine(json!({"v": "{% $states.input.phone[0] %}",
                        "n": "{% $count($states.input.phone[$ != 'b']) %}"})),
    );
    let input = temp_file("input.json", &json!({"phone": ["a", "b"]}));
    let out = sfn_local(&["validate", def.to_str().unwrap_or_default()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = sfn_local(&[
        "execute",
        def.to_str().unwrap_or_default(),
        "--input",
        input.to_str().unwrap_or_default(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{stdout}: {e}"));
    assert_eq!(
        last,
        json!({"status": "SUCCEEDED", "output": {"v": "a", "n": 1}})
    );
}
