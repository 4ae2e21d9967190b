use super::*;

fn write_fixture(dir: &Path, template: &str, definition: &str) -> PathBuf {
    std::fs::create_dir_all(dir.join("statemachine")).unwrap();
    std::fs::write(dir.join("statemachine/flow.asl.json"), definition).unwrap();
    let path = dir.join("template.yaml");
    std::fs::write(&path, template).unwrap();
    path
}

fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("sfn-local-template-{name}-{}", std::process::id()))
}

const TEMPLATE: &str = r#"
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
Resources:
  ValidateOrderFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: rust-cargolambda
      BuildProperties:
        Binary: validate-order
  PlainFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: plain-fn
  OrdersTable:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "orders-${Stage}"
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: statemachine/flow.asl.json
      DefinitionSubstitutions:
        ValidateArn: !GetAtt ValidateOrderFunction.Arn
        PlainArn:
          Fn::GetAtt: [PlainFunction, Arn]
        Table: !Ref OrdersTable
        Greeting: !Sub "hello-${Stage}-${AWS::Region}-${!Literal}"
        Named: !Ref PlainFunction
"#;

const DEFINITION: &str = r#"{"StartAt":"A","States":{"A":{"Type":"Task",
  "Resource":"arn:aws:states:::lambda:invoke",
  "Parameters":{"FunctionName":"${ValidateArn}","Payload":{"t":"${Table}","g":"${Greeting}","n":"${Named}","p":"${PlainArn}"}},
  "End":true}}}"#;

#[test]
fn substitutions_resolve_getatt_ref_and_sub() {
    let dir = scratch("subs");
    let path = write_fixture(&dir, TEMPLATE, DEFINITION);
    let machine = resolve(&path, None).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(machine.logical_id, "Flow");
    let params = &machine.definition["States"]["A"]["Parameters"];
    assert_eq!(
        params["FunctionName"],
        "arn:aws:lambda:us-east-1:123456789012:function:validate-order"
    );
    assert_eq!(params["Payload"]["t"], "orders-dev");
    assert_eq!(params["Payload"]["g"], "hello-dev-us-east-1-${Literal}");
    assert_eq!(params["Payload"]["n"], "plain-fn");
    assert_eq!(
        params["Payload"]["p"],
        "arn:aws:lambda:us-east-1:123456789012:function:plain-fn"
    );
    assert_eq!(
        machine
            .functions
            .get("ValidateOrderFunction")
            .map(String::as_str),
        Some("validate-order")
    );
    assert_eq!(
        machine.functions.get("PlainFunction").map(String::as_str),
        Some("plain-fn")
    );
}

#[test]
fn unknown_resource_in_a_substitution_names_the_field() {
    let dir = scratch("unknown");
    let template = TEMPLATE.replace(
        "!GetAtt ValidateOrderFunction.Arn",
        "!GetAtt MissingFunction.Arn",
    );
    let path = write_fixture(&dir, &template, DEFINITION);
    let err = resolve(&path, None).unwrap_err().to_string();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(err.contains("DefinitionSubstitutions.ValidateArn"), "{err}");
    assert!(err.contains("MissingFunction"), "{err}");
}

#[test]
fn state_machine_is_chosen_by_name_when_asked() {
    let dir = scratch("choose");
    let path = write_fixture(&dir, TEMPLATE, DEFINITION);
    let missing = resolve(&path, Some("Other")).unwrap_err().to_string();
    let found = resolve(&path, Some("Flow")).map(|m| m.logical_id);
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        missing.contains("no state machine named 'Other'"),
        "{missing}"
    );
    assert_eq!(found.unwrap(), "Flow");
}

#[test]
fn the_projects_own_template_resolves_every_placeholder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let machine = resolve(&root.join("template.yaml"), None).unwrap();
    let text = machine.definition.to_string();
    assert!(
        !text.contains("${"),
        "unresolved placeholder left in {text}"
    );
    assert!(text.contains("function:reserve-item"), "{text}");
}
