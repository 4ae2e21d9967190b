//! SAM/CloudFormation templates: find a state machine, load its `DefinitionUri` (or inline
//! `Definition`), apply its `DefinitionSubstitutions` the way SAM does, and map each function the
//! template builds to the name a local Lambda endpoint serves it under (cargo-lambda's binary).
//!
//! Intrinsics understood in substitutions: `!GetAtt X.Arn` / `Fn::GetAtt`, `!Ref`, `!Sub` (with
//! `${X}`, `${X.Arn}`, `${AWS::Region}`-style pseudo parameters) and plain strings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_norway::Value as Yaml;
use sfn_json::Value;

/// The account and region the local ARNs are minted in.
pub const LOCAL_REGION: &str = "us-east-1";
pub const LOCAL_ACCOUNT: &str = "123456789012";

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not valid YAML: {source}")]
    Yaml {
        path: String,
        source: serde_norway::Error,
    },
    #[error("{path}: no `Resources` mapping")]
    NoResources { path: String },
    #[error("{path}: no state machine resource (AWS::Serverless::StateMachine)")]
    NoStateMachine { path: String },
    #[error("{path}: several state machines ({0}); choose one with --state-machine", .names.join(", "))]
    Ambiguous { path: String, names: Vec<String> },
    #[error("{path}: no state machine named '{name}'")]
    UnknownStateMachine { path: String, name: String },
    #[error("state machine '{machine}': {field}: {message}")]
    Field {
        machine: String,
        field: String,
        message: String,
    },
    #[error("state machine '{machine}': definition {path} is not valid JSON: {source}")]
    Definition {
        machine: String,
        path: String,
        source: serde_json::Error,
    },
}

/// A state machine of a template, ready to run locally.
#[derive(Debug, Clone)]
pub struct ResolvedStateMachine {
    pub logical_id: String,
    /// The definition with every `${Name}` substitution applied.
    pub definition: Value,
    /// Function logical id → the function name a local endpoint serves (cargo-lambda binary).
    pub functions: BTreeMap<String, String>,
}

/// Loads `template`, picks the state machine (`name`, or the only one) and resolves it.
pub fn resolve(template: &Path, name: Option<&str>) -> Result<ResolvedStateMachine, TemplateError> {
    let path = template.display().to_string();
    let text = std::fs::read_to_string(template).map_err(|source| TemplateError::Read {
        path: path.clone(),
        source,
    })?;
    let doc: Yaml = serde_norway::from_str(&text).map_err(|source| TemplateError::Yaml {
        path: path.clone(),
        source,
    })?;
    let base_dir = template.parent().map(Path::to_path_buf).unwrap_or_default();
    Template::new(&doc, &path)?.resolve(name, &base_dir)
}

struct Template<'a> {
    path: &'a str,
    resources: &'a serde_norway::Mapping,
    parameters: Option<&'a serde_norway::Mapping>,
}

impl<'a> Template<'a> {
    fn new(doc: &'a Yaml, path: &'a str) -> Result<Self, TemplateError> {
        let resources = doc
            .get("Resources")
            .and_then(Yaml::as_mapping)
            .ok_or_else(|| TemplateError::NoResources {
                path: path.to_owned(),
            })?;
        let parameters = doc.get("Parameters").and_then(Yaml::as_mapping);
        Ok(Self {
            path,
            resources,
            parameters,
        })
    }

    fn resources_of_type(&self, types: &[&str]) -> Vec<(String, &'a Yaml)> {
        self.resources
            .iter()
            .filter(|(_, r)| {
                r.get("Type")
                    .and_then(Yaml::as_str)
                    .is_some_and(|t| types.contains(&t))
            })
            .filter_map(|(id, r)| Some((id.as_str()?.to_owned(), r)))
            .collect()
    }

    fn resolve(
        &self,
        name: Option<&str>,
        base_dir: &Path,
    ) -> Result<ResolvedStateMachine, TemplateError> {
        let machines = self.resources_of_type(&["AWS::Serverless::StateMachine"]);
        let (logical_id, resource) = match name {
            Some(wanted) => machines
                .into_iter()
                .find(|(id, _)| id == wanted)
                .ok_or_else(|| TemplateError::UnknownStateMachine {
                    path: self.path.into(),
                    name: wanted.into(),
                })?,
            None if machines.len() == 1 => {
                machines.into_iter().next().expect("checked: one element")
            }
            None if machines.is_empty() => {
                return Err(TemplateError::NoStateMachine {
                    path: self.path.into(),
                });
            }
            None => {
                let names = machines.into_iter().map(|(id, _)| id).collect();
                return Err(TemplateError::Ambiguous {
                    path: self.path.into(),
                    names,
                });
            }
        };
        let field_error = |field: &str, message: String| TemplateError::Field {
            machine: logical_id.clone(),
            field: field.to_owned(),
            message,
        };
        let properties = resource.get("Properties").unwrap_or(&Yaml::Null);
        let mut definition = self.load_definition(&logical_id, properties, base_dir)?;
        let substitutions = match properties.get("DefinitionSubstitutions") {
            None => BTreeMap::new(),
            Some(subs) => {
                let subs = subs.as_mapping().ok_or_else(|| {
                    field_error("DefinitionSubstitutions", "must be a mapping".into())
                })?;
                let mut resolved = BTreeMap::new();
                for (key, value) in subs {
                    let key = key.as_str().unwrap_or_default().to_owned();
                    let text = self.intrinsic(value).map_err(|message| {
                        field_error(&format!("DefinitionSubstitutions.{key}"), message)
                    })?;
                    resolved.insert(key, text);
                }
                resolved
            }
        };
        substitute(&mut definition, &substitutions);
        let functions = self
            .resources_of_type(&["AWS::Serverless::Function", "AWS::Lambda::Function"])
            .into_iter()
            .map(|(id, r)| {
                let name = local_function_name(&id, r);
                (id, name)
            })
            .collect();
        Ok(ResolvedStateMachine {
            logical_id,
            definition,
            functions,
        })
    }

    fn load_definition(
        &self,
        machine: &str,
        properties: &Yaml,
        base_dir: &Path,
    ) -> Result<Value, TemplateError> {
        if let Some(inline) = properties.get("Definition") {
            return sfn_json::to_value(inline).map_err(|e| TemplateError::Field {
                machine: machine.into(),
                field: "Definition".into(),
                message: e.to_string(),
            });
        }
        let uri = properties
            .get("DefinitionUri")
            .and_then(Yaml::as_str)
            .ok_or_else(|| TemplateError::Field {
                machine: machine.into(),
                field: "DefinitionUri".into(),
                message: "a local file path (or an inline Definition) is needed to run it locally"
                    .into(),
            })?;
        let file: PathBuf = base_dir.join(uri);
        let text = std::fs::read_to_string(&file).map_err(|source| TemplateError::Read {
            path: file.display().to_string(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| TemplateError::Definition {
            machine: machine.into(),
            path: file.display().to_string(),
            source,
        })
    }

    /// The string an intrinsic evaluates to locally.
    fn intrinsic(&self, value: &Yaml) -> Result<String, String> {
        match value {
            Yaml::String(s) => Ok(s.clone()),
            Yaml::Number(n) => Ok(n.to_string()),
            Yaml::Bool(b) => Ok(b.to_string()),
            Yaml::Tagged(tagged) => {
                let tag = tagged.tag.to_string();
                self.function(tag.trim_start_matches('!'), &tagged.value)
            }
            Yaml::Mapping(m) if m.len() == 1 => {
                let (key, arg) = m.iter().next().expect("checked: one entry");
                let key = key.as_str().unwrap_or_default();
                let name = if key == "Ref" {
                    "Ref"
                } else {
                    key.strip_prefix("Fn::").unwrap_or(key)
                };
                self.function(name, arg)
            }
            other => Err(format!("unsupported value {other:?}")),
        }
    }

    fn function(&self, name: &str, arg: &Yaml) -> Result<String, String> {
        match name {
            "GetAtt" => {
                let (id, attribute) = match arg {
                    Yaml::String(s) => s
                        .split_once('.')
                        .ok_or_else(|| format!("GetAtt '{s}' needs Resource.Attribute"))?,
                    Yaml::Sequence(parts) if parts.len() == 2 => (
                        parts[0]
                            .as_str()
                            .ok_or("GetAtt resource must be a string")?,
                        parts[1]
                            .as_str()
                            .ok_or("GetAtt attribute must be a string")?,
                    ),
                    _ => return Err("GetAtt takes 'Resource.Attribute'".into()),
                };
                self.get_att(id, attribute)
            }
            "Ref" => self.reference(arg.as_str().ok_or("Ref takes a name")?),
            "Sub" => {
                let (text, vars) = match arg {
                    Yaml::String(s) => (s.as_str(), None),
                    Yaml::Sequence(parts) if parts.len() == 2 => (
                        parts[0]
                            .as_str()
                            .ok_or("Sub's first item must be a string")?,
                        parts[1].as_mapping(),
                    ),
                    _ => return Err("Sub takes a string or [string, mapping]".into()),
                };
                self.sub(text, vars)
            }
            other => Err(format!(
                "intrinsic function {other} is not supported locally"
            )),
        }
    }

    fn get_att(&self, id: &str, attribute: &str) -> Result<String, String> {
        let resource = self
            .resources
            .get(id)
            .ok_or_else(|| format!("no resource named '{id}'"))?;
        let kind = resource
            .get("Type")
            .and_then(Yaml::as_str)
            .unwrap_or_default();
        match (kind, attribute) {
            ("AWS::Serverless::Function" | "AWS::Lambda::Function", "Arn") => Ok(format!(
                "arn:aws:lambda:{LOCAL_REGION}:{LOCAL_ACCOUNT}:function:{}",
                local_function_name(id, resource)
            )),
            ("AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable", "Arn") => Ok(format!(
                "arn:aws:dynamodb:{LOCAL_REGION}:{LOCAL_ACCOUNT}:table/{}",
                self.reference(id)?
            )),
            (_, "Arn") => Ok(format!("arn:aws:local:{LOCAL_REGION}:{LOCAL_ACCOUNT}:{id}")),
            (_, other) => Ok(format!("{id}.{other}")),
        }
    }

    /// `Ref`: a parameter's default, a pseudo parameter, or a resource's name.
    fn reference(&self, name: &str) -> Result<String, String> {
        match name {
            "AWS::Region" => return Ok(LOCAL_REGION.into()),
            "AWS::AccountId" => return Ok(LOCAL_ACCOUNT.into()),
            "AWS::Partition" => return Ok("aws".into()),
            "AWS::URLSuffix" => return Ok("amazonaws.com".into()),
            "AWS::StackName" => return Ok("sfn-local".into()),
            _ => {}
        }
        if let Some(parameter) = self.parameters.and_then(|p| p.get(name)) {
            return parameter
                .get("Default")
                .map(|d| self.intrinsic(d))
                .unwrap_or_else(|| Err(format!("parameter '{name}' has no Default")));
        }
        let resource = self
            .resources
            .get(name)
            .ok_or_else(|| format!("no parameter or resource named '{name}'"))?;
        let properties = resource.get("Properties");
        let explicit = ["FunctionName", "TableName", "Name"]
            .iter()
            .find_map(|field| properties.and_then(|p| p.get(*field)));
        match (resource.get("Type").and_then(Yaml::as_str), explicit) {
            (Some("AWS::Serverless::Function" | "AWS::Lambda::Function"), _) => {
                Ok(local_function_name(name, resource))
            }
            (_, Some(value)) => self.intrinsic(value),
            _ => Ok(name.to_owned()),
        }
    }

    fn sub(&self, text: &str, vars: Option<&serde_norway::Mapping>) -> Result<String, String> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            // `${!Literal}` writes `${Literal}`.
            if let Some(literal) = after.strip_prefix('!') {
                out.push_str("${");
                rest = literal;
                continue;
            }
            let end = after
                .find('}')
                .ok_or_else(|| format!("unclosed ${{ in Sub '{text}'"))?;
            let name = &after[..end];
            let value = match vars.and_then(|v| v.get(name)) {
                Some(v) => self.intrinsic(v)?,
                None => match name.split_once('.') {
                    Some((id, attribute)) if !name.starts_with("AWS::") => {
                        self.get_att(id, attribute)?
                    }
                    _ => self.reference(name)?,
                },
            };
            out.push_str(&value);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// The name a local Lambda endpoint serves a function under: cargo-lambda's binary
/// (`Metadata.BuildProperties.Binary`), else `FunctionName`, else the logical id.
fn local_function_name(logical_id: &str, resource: &Yaml) -> String {
    resource
        .get("Metadata")
        .and_then(|m| m.get("BuildProperties"))
        .and_then(|b| b.get("Binary"))
        .or_else(|| {
            resource
                .get("Properties")
                .and_then(|p| p.get("FunctionName"))
        })
        .and_then(Yaml::as_str)
        .unwrap_or(logical_id)
        .to_owned()
}

/// Replaces `${Name}` in every string of the definition, as SAM does before deploying it.
fn substitute(value: &mut Value, substitutions: &BTreeMap<String, String>) {
    match value {
        Value::String(s) if s.contains("${") => {
            for (name, replacement) in substitutions {
                let placeholder = format!("${{{name}}}");
                if s.contains(&placeholder) {
                    *s = s.replace(&placeholder, replacement);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| substitute(v, substitutions)),
        Value::Object(map) => map.values_mut().for_each(|v| substitute(v, substitutions)),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
