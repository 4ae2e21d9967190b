//! The scenarios of a folder (`events/orders/<name>.json` + `<name>.expect.json`) and the runs
//! they make: one each, three for an order that waits for approval (approve, reject, timeout).

use super::expectation::{Decision, Expectation, Stock};
use sfn_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{0}: no expectation beside it (expected {0}'s .expect.json)")]
    NoExpectation(PathBuf),
    #[error("{path}: awaits {state} but `then.{decision}` is missing")]
    NoAnswer {
        path: PathBuf,
        state: String,
        decision: &'static str,
    },
    #[error("{0}: no scenario (*.json with a .expect.json) in this folder")]
    Empty(PathBuf),
}

/// One sample order and what it must do.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The file name without `.json`: `standard`, `needs-approval`.
    pub name: String,
    pub order: Value,
    pub expectation: Expectation,
}

/// One run of a scenario: the order, and for an approval scenario the answer given.
#[derive(Debug, Clone, Copy)]
pub struct Case<'a> {
    pub scenario: &'a Scenario,
    pub decision: Option<Decision>,
}

impl<'a> Case<'a> {
    /// `standard`, `needs-approval/approve`.
    pub fn name(&self) -> String {
        match self.decision {
            Some(d) => format!("{}/{}", self.scenario.name, d.word()),
            None => self.scenario.name.clone(),
        }
    }

    /// What this run must end with (the `then` branch of its answer, for an approval scenario).
    pub fn expectation(&self) -> &'a Expectation {
        let top = &self.scenario.expectation;
        self.decision.and_then(|d| top.after(d)).unwrap_or(top)
    }
}

impl Scenario {
    /// The runs this scenario makes.
    pub fn cases(&self) -> Vec<Case<'_>> {
        if self.expectation.awaits.is_some() {
            Decision::ALL
                .iter()
                .map(|&d| Case {
                    scenario: self,
                    decision: Some(d),
                })
                .collect()
        } else {
            vec![Case {
                scenario: self,
                decision: None,
            }]
        }
    }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, SuiteError> {
    let text = std::fs::read_to_string(path).map_err(|source| SuiteError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| SuiteError::Json {
        path: path.to_path_buf(),
        source,
    })
}

/// One scenario from its order file (`<dir>/<name>.json`).
pub fn load(order_path: &Path) -> Result<Scenario, SuiteError> {
    let name = order_path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    let expect_path = order_path.with_file_name(format!("{name}.expect.json"));
    if !expect_path.is_file() {
        return Err(SuiteError::NoExpectation(order_path.to_path_buf()));
    }
    let expectation: Expectation = read_json(&expect_path)?;
    if let Some(state) = &expectation.awaits {
        for decision in Decision::ALL {
            if expectation.after(decision).is_none() {
                return Err(SuiteError::NoAnswer {
                    path: expect_path,
                    state: state.clone(),
                    decision: decision.word(),
                });
            }
        }
    }
    Ok(Scenario {
        name,
        order: read_json(order_path)?,
        expectation,
    })
}

/// Every scenario of a folder, by name.
pub fn load_dir(dir: &Path) -> Result<Vec<Scenario>, SuiteError> {
    let entries = std::fs::read_dir(dir).map_err(|source| SuiteError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut orders: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|source| SuiteError::Read {
                path: dir.to_path_buf(),
                source,
            })?
            .path();
        let file = path
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or_default();
        if file.ends_with(".json") && !file.ends_with(".expect.json") {
            orders.push(path);
        }
    }
    orders.sort();
    if orders.is_empty() {
        return Err(SuiteError::Empty(dir.to_path_buf()));
    }
    orders.iter().map(|path| load(path)).collect()
}

/// The inventory seed (`events/inventory-seed.json`: `[{"sku","available","reserved"}]`).
pub fn load_seed(path: &Path) -> Result<BTreeMap<String, Stock>, SuiteError> {
    #[derive(serde::Deserialize)]
    struct Row {
        sku: String,
        available: i64,
        #[serde(default)]
        reserved: i64,
    }
    let rows: Vec<Row> = read_json(path)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let stock = Stock {
                available: r.available,
                reserved: r.reserved,
            };
            (r.sku, stock)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../events")
    }

    #[test]
    fn the_sample_orders_load_with_their_expectations() {
        let scenarios = load_dir(&events().join("orders")).unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<String> = scenarios
            .iter()
            .flat_map(|s| s.cases())
            .map(|c| c.name())
            .collect();
        assert!(names.contains(&"standard".to_string()), "{names:?}");
        for answer in ["approve", "reject", "timeout"] {
            assert!(
                names.contains(&format!("needs-approval/{answer}")),
                "{names:?}"
            );
        }
        let approve = scenarios
            .iter()
            .flat_map(|s| s.cases())
            .find(|c| c.name() == "needs-approval/approve")
            .map(|c| c.expectation().status.clone());
        assert_eq!(approve.as_deref(), Some("SUCCEEDED"));
    }

    #[test]
    fn the_seed_loads() {
        let seed =
            load_seed(&events().join("inventory-seed.json")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            seed.get("SKU-OUT"),
            Some(&Stock {
                available: 0,
                reserved: 0
            })
        );
    }

    #[test]
    fn an_order_without_expectation_is_an_error() {
        let dir = std::env::temp_dir().join(format!("scenario-suite-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.join("lonely.json"), "{}").unwrap_or_else(|e| panic!("{e}"));
        let result = load_dir(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            matches!(result, Err(SuiteError::NoExpectation(_))),
            "{result:?}"
        );
    }
}
