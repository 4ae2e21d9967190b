//! What a local run needs from template.yaml besides the state machine (which
//! `sfn_local::template` resolves): the DynamoDB tables with their key schemas and the
//! environment variables that name them, and the function an EventBridge rule sends the
//! state machine's status-change events to.

use std::path::Path;

use serde_norway::Value as Yaml;

use super::LocalError;

/// The EventBridge event a state machine emits when an execution changes status.
pub const STATUS_CHANGE_SOURCE: &str = "aws.states";
pub const STATUS_CHANGE_DETAIL_TYPE: &str = "Step Functions Execution Status Change";

/// A parsed template.
pub struct TemplateDoc {
    path: String,
    doc: Yaml,
}

/// One `AWS::DynamoDB::Table` resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSpec {
    pub logical_id: String,
    /// The functions' environment variable holding its name (`ORDERS_TABLE: !Ref OrdersTable`).
    pub env_var: Option<String>,
    /// `(attribute, HASH | RANGE)`.
    pub key_schema: Vec<(String, String)>,
    /// `(attribute, S | N | B)`.
    pub attributes: Vec<(String, String)>,
}

impl TemplateDoc {
    pub fn load(path: &Path) -> Result<Self, LocalError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| LocalError::Read {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        let doc = serde_norway::from_str(&text).map_err(|e| LocalError::TemplateContent {
            path: shown.clone(),
            message: format!("not valid YAML: {e}"),
        })?;
        Ok(Self { path: shown, doc })
    }

    fn error(&self, message: String) -> LocalError {
        LocalError::TemplateContent {
            path: self.path.clone(),
            message,
        }
    }

    fn resources(&self) -> impl Iterator<Item = (&str, &Yaml)> {
        self.doc
            .get("Resources")
            .and_then(Yaml::as_mapping)
            .into_iter()
            .flatten()
            .filter_map(|(id, resource)| Some((id.as_str()?, resource)))
    }

    fn of_type<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = (&'a str, &'a Yaml)> + 'a {
        self.resources()
            .filter(move |(_, r)| r.get("Type").and_then(Yaml::as_str) == Some(kind))
    }

    /// The template's tables, in template order.
    pub fn tables(&self) -> Result<Vec<TableSpec>, LocalError> {
        let env_vars = self.global_env_refs();
        self.of_type("AWS::DynamoDB::Table")
            .map(|(id, resource)| {
                let properties = resource.get("Properties");
                let pairs = |field: &str, name: &str, value: &str| {
                    properties
                        .and_then(|p| p.get(field))
                        .and_then(Yaml::as_sequence)
                        .ok_or_else(|| self.error(format!("table {id}: no {field}")))?
                        .iter()
                        .map(|entry| {
                            let get = |k: &str| entry.get(k).and_then(Yaml::as_str);
                            match (get(name), get(value)) {
                                (Some(n), Some(v)) => Ok((n.to_owned(), v.to_owned())),
                                _ => Err(self.error(format!(
                                    "table {id}: every {field} entry needs {name} and {value}"
                                ))),
                            }
                        })
                        .collect::<Result<Vec<_>, _>>()
                };
                Ok(TableSpec {
                    logical_id: id.to_owned(),
                    env_var: env_vars
                        .iter()
                        .find(|(_, target)| target == id)
                        .map(|(var, _)| var.clone()),
                    key_schema: pairs("KeySchema", "AttributeName", "KeyType")?,
                    attributes: pairs("AttributeDefinitions", "AttributeName", "AttributeType")?,
                })
            })
            .collect()
    }

    /// `(VARIABLE, LogicalId)` for every `Globals.Function.Environment.Variables` entry that
    /// is a `Ref` to a resource.
    fn global_env_refs(&self) -> Vec<(String, String)> {
        self.doc
            .get("Globals")
            .and_then(|g| g.get("Function"))
            .and_then(|f| f.get("Environment"))
            .and_then(|e| e.get("Variables"))
            .and_then(Yaml::as_mapping)
            .into_iter()
            .flatten()
            .filter_map(|(name, value)| Some((name.as_str()?.to_owned(), reference(value)?)))
            .collect()
    }

    /// The logical id of the function whose EventBridge rule matches the state machine's
    /// status-change events (`source: [aws.states]`, that detail-type).
    pub fn status_change_function(&self) -> Option<String> {
        let functions = self
            .of_type("AWS::Serverless::Function")
            .chain(self.of_type("AWS::Lambda::Function"));
        for (id, resource) in functions {
            let events = resource
                .get("Properties")
                .and_then(|p| p.get("Events"))
                .and_then(Yaml::as_mapping);
            let matches = events.into_iter().flatten().any(|(_, event)| {
                let is_rule = matches!(
                    event.get("Type").and_then(Yaml::as_str),
                    Some("EventBridgeRule" | "CloudWatchEvent")
                );
                let pattern = event.get("Properties").and_then(|p| p.get("Pattern"));
                is_rule
                    && pattern.is_some_and(|p| {
                        lists(p.get("source"), STATUS_CHANGE_SOURCE)
                            && lists(p.get("detail-type"), STATUS_CHANGE_DETAIL_TYPE)
                    })
            });
            if matches {
                return Some(id.to_owned());
            }
        }
        None
    }
}

/// Whether a pattern field is a list holding `wanted` (or is `wanted` itself).
fn lists(field: Option<&Yaml>, wanted: &str) -> bool {
    match field {
        Some(Yaml::Sequence(items)) => items.iter().any(|i| i.as_str() == Some(wanted)),
        Some(value) => value.as_str() == Some(wanted),
        None => false,
    }
}

/// The target of `!Ref X` or `{Ref: X}`.
fn reference(value: &Yaml) -> Option<String> {
    match value {
        Yaml::Tagged(tagged) if tagged.tag == "Ref" => tagged.value.as_str().map(str::to_owned),
        Yaml::Mapping(m) if m.len() == 1 => m.get("Ref").and_then(Yaml::as_str).map(str::to_owned),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> TemplateDoc {
        TemplateDoc {
            path: "t.yaml".into(),
            doc: serde_norway::from_str(text).unwrap_or(Yaml::Null),
        }
    }

    #[test]
    fn the_project_template_has_three_named_tables_and_a_status_rule() -> Result<(), LocalError> {
        let template = TemplateDoc::load(&crate::env::repo_root().join("template.yaml"))?;
        let tables = template.tables()?;
        let named: Vec<_> = tables
            .iter()
            .map(|t| (t.logical_id.as_str(), t.env_var.as_deref()))
            .collect();
        assert_eq!(
            named,
            [
                ("OrdersTable", Some("ORDERS_TABLE")),
                ("InventoryTable", Some("INVENTORY_TABLE")),
                ("PaymentsTable", Some("PAYMENTS_TABLE")),
            ]
        );
        assert_eq!(
            tables[1].key_schema,
            [("sku".to_owned(), "HASH".to_owned())]
        );
        assert_eq!(
            template.status_change_function().as_deref(),
            Some("OnExecutionStatusFunction")
        );
        Ok(())
    }

    #[test]
    fn ref_forms_and_missing_key_schemas() {
        let t = doc(
            "Globals: {Function: {Environment: {Variables: {A: {Ref: T}, B: plain}}}}\n\
                     Resources: {T: {Type: AWS::DynamoDB::Table, Properties: {}}}",
        );
        assert_eq!(t.global_env_refs(), [("A".to_owned(), "T".to_owned())]);
        assert!(matches!(
            t.tables(),
            Err(LocalError::TemplateContent { .. })
        ));
        assert_eq!(t.status_change_function(), None);
    }
}
