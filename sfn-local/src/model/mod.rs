//! The definition model: ASL documents as Rust types (serde).
//!
//! A [`State`] is its `Type` plus every field the States Language defines for any state type;
//! which fields a given type accepts is checked by `validate` (AWS rejects a `Seconds` on a Pass
//! state as firmly as a field nobody defines, and one flat type keeps the executor simple).
//! Numeric fields that JSONata may replace with a `{% %}` string stay [`Value`]s here.

pub mod choice;
mod fields;
mod parse;

use std::any::Any;
use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;
use sfn_json::Value;

pub use fields::allowed_fields;
pub use parse::{ModelError, parse_definition, parse_value};

/// `QueryLanguage`: how expressions in the definition are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
pub enum QueryLanguage {
    #[default]
    JSONPath,
    JSONata,
}

/// A state machine, or a Parallel branch / Map item processor (same shape, fewer top fields).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct StateMachine {
    pub comment: Option<String>,
    pub start_at: String,
    pub states: States,
    pub timeout_seconds: Option<Value>,
    pub version: Option<String>,
    pub query_language: Option<QueryLanguage>,
    /// Map item processors only.
    pub processor_config: Option<ProcessorConfig>,
    /// `StartAt`'s position in `states`, found at the first run (a Map runs its item
    /// processor once per item).
    #[serde(skip)]
    start: OnceLock<Option<usize>>,
}

impl StateMachine {
    /// The position of the `StartAt` state (`None` when no state has that name).
    pub fn start_position(&self) -> Option<usize> {
        let cached = *self
            .start
            .get_or_init(|| self.states.position(&self.start_at));
        // Checked against the name: `start_at` and `states` are public and may have changed.
        match cached.and_then(|p| self.states.at(p)) {
            Some((name, _)) if name == self.start_at => cached,
            _ => self.states.position(&self.start_at),
        }
    }
}

/// The states of one machine/branch in definition order, with a name index and every
/// transition resolved to a position once, so running a state machine never hashes a name.
#[derive(Debug, Clone, Default)]
pub struct States {
    pub list: Vec<(String, State)>,
    index: HashMap<String, usize>,
    targets: Vec<Targets>,
    /// Whether any state, in branches and item processors too, reads `$$` / `$$.Execution`
    /// (known once here rather than searched for at every execution's start).
    reads_context: bool,
    reads_execution_context: bool,
    /// Whether any state waits until a timestamp (which reads the execution's clock).
    waits_for_timestamp: bool,
}

/// Where one state's transitions lead, as positions in [`States::list`]; `None` where the
/// field is absent or names no state (validation reports those; the executor fails on them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Targets {
    pub next: Option<usize>,
    pub default: Option<usize>,
    /// One per `Choices` rule, in order.
    pub choices: Vec<Option<usize>>,
    /// One per `Catch` catcher, in order.
    pub catch: Vec<Option<usize>>,
}

impl States {
    pub fn new(list: Vec<(String, State)>) -> Self {
        let index: HashMap<String, usize> = list
            .iter()
            .enumerate()
            .map(|(i, (name, _))| (name.clone(), i))
            .collect();
        let find = |name: Option<&str>| name.and_then(|n| index.get(n).copied());
        let targets = list
            .iter()
            .map(|(_, state)| Targets {
                next: find(state.next.as_deref()),
                default: find(state.default.as_deref()),
                choices: state
                    .choices
                    .iter()
                    .flatten()
                    .map(|rule| find(rule.next.as_deref()))
                    .collect(),
                catch: state
                    .catch
                    .iter()
                    .flatten()
                    .map(|catcher| find(Some(&catcher.next)))
                    .collect(),
            })
            .collect();
        let any = |own: fn(&State) -> bool, inner: fn(&States) -> bool| {
            list.iter().any(|(_, state)| {
                own(state)
                    || state.branches.iter().flatten().any(|b| inner(&b.states))
                    || state.processor().is_some_and(|p| inner(&p.states))
            })
        };
        let reads_context = any(|s| s.uses_context, States::reads_context);
        let reads_execution_context = any(
            |s| s.uses_execution_context,
            States::reads_execution_context,
        );
        let waits_for_timestamp = any(
            |s| s.kind == StateType::Wait && (s.timestamp.is_some() || s.timestamp_path.is_some()),
            States::waits_for_timestamp,
        );
        Self {
            list,
            index,
            targets,
            reads_context,
            reads_execution_context,
            waits_for_timestamp,
        }
    }

    /// Whether any state (in branches and item processors too) reads the context object.
    pub fn reads_context(&self) -> bool {
        self.reads_context
    }

    /// Whether any state (in branches and item processors too) may read `$$.Execution`.
    pub fn reads_execution_context(&self) -> bool {
        self.reads_execution_context
    }

    /// Whether any state (in branches and item processors too) waits until a timestamp.
    pub fn waits_for_timestamp(&self) -> bool {
        self.waits_for_timestamp
    }

    pub fn get(&self, name: &str) -> Option<&State> {
        self.index
            .get(name)
            .and_then(|&i| self.list.get(i))
            .map(|(_, state)| state)
    }

    /// The position of the state called `name`.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The state at a position, with its name.
    pub fn at(&self, position: usize) -> Option<(&str, &State)> {
        self.list
            .get(position)
            .map(|(name, state)| (name.as_str(), state))
    }

    /// The resolved transitions of the state at a position.
    pub fn targets(&self, position: usize) -> Option<&Targets> {
        self.targets.get(position)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &State)> {
        self.list.iter().map(|(name, state)| (name.as_str(), state))
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum StateType {
    Pass,
    Task,
    Choice,
    Wait,
    Succeed,
    Fail,
    Parallel,
    Map,
}

impl StateType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "Pass",
            Self::Task => "Task",
            Self::Choice => "Choice",
            Self::Wait => "Wait",
            Self::Succeed => "Succeed",
            Self::Fail => "Fail",
            Self::Parallel => "Parallel",
            Self::Map => "Map",
        }
    }
}

/// A field that may be absent, `null` (meaningful for InputPath/OutputPath/ResultPath), or set.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Nullable<T> {
    #[default]
    Absent,
    Null,
    Set(T),
}

impl Nullable<String> {
    /// Absent or `$`: a path (InputPath, OutputPath, ResultPath) that takes the whole value.
    pub fn is_whole(&self) -> bool {
        match self {
            Self::Absent => true,
            Self::Set(path) => path == "$",
            Self::Null => false,
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(d)? {
            None => Self::Null,
            Some(v) => Self::Set(v),
        })
    }
}

/// One state. Field names follow the States Language (PascalCase).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct State {
    #[serde(rename = "Type")]
    pub kind: StateType,
    pub comment: Option<String>,
    pub query_language: Option<QueryLanguage>,
    pub next: Option<String>,
    pub end: Option<bool>,
    // Input/output processing (JSONPath).
    #[serde(default)]
    pub input_path: Nullable<String>,
    #[serde(default)]
    pub output_path: Nullable<String>,
    #[serde(default)]
    pub result_path: Nullable<String>,
    pub parameters: Option<Value>,
    pub result_selector: Option<Value>,
    pub result: Option<Value>,
    // JSONata and variables.
    pub arguments: Option<Value>,
    pub output: Option<Value>,
    pub assign: Option<Value>,
    // Task.
    pub resource: Option<String>,
    pub timeout_seconds: Option<Value>,
    pub timeout_seconds_path: Option<String>,
    pub heartbeat_seconds: Option<Value>,
    pub heartbeat_seconds_path: Option<String>,
    pub credentials: Option<Value>,
    // Error handling (Task, Parallel, Map).
    pub retry: Option<Vec<Retrier>>,
    pub catch: Option<Vec<Catcher>>,
    // Choice.
    pub choices: Option<Vec<choice::ChoiceRule>>,
    pub default: Option<String>,
    // Wait.
    pub seconds: Option<Value>,
    pub timestamp: Option<Value>,
    pub seconds_path: Option<String>,
    pub timestamp_path: Option<String>,
    // Fail.
    pub error: Option<String>,
    pub cause: Option<String>,
    pub error_path: Option<String>,
    pub cause_path: Option<String>,
    // Parallel.
    pub branches: Option<Vec<StateMachine>>,
    // Map.
    pub item_processor: Option<Box<StateMachine>>,
    pub iterator: Option<Box<StateMachine>>,
    pub items_path: Option<String>,
    pub items: Option<Value>,
    pub item_selector: Option<Value>,
    pub item_reader: Option<Value>,
    pub item_batcher: Option<ItemBatcher>,
    pub result_writer: Option<Value>,
    pub max_concurrency: Option<Value>,
    pub max_concurrency_path: Option<String>,
    pub tolerated_failure_count: Option<Value>,
    pub tolerated_failure_count_path: Option<String>,
    pub tolerated_failure_percentage: Option<Value>,
    pub tolerated_failure_percentage_path: Option<String>,
    pub label: Option<String>,
    /// Whether any field mentions the context object (`$$`); set after parsing so the executor
    /// builds the context only for states that read it.
    #[serde(skip)]
    pub uses_context: bool,
    /// Whether a `$$` reference may read `$$.Execution` (checked conservatively).
    #[serde(skip)]
    pub uses_execution_context: bool,
    /// The field names as written, in order, for validation's per-type field check.
    #[serde(skip)]
    pub field_names: Vec<String>,
    /// A Pass or Succeed state with no field that touches the payload (only `Type`, `Next`,
    /// `End`, `Comment`, `QueryLanguage`): in either language its output is its input.
    #[serde(skip)]
    pub passes_input_through: bool,
    /// What the executor derives from this state once (its compiled payload templates).
    #[serde(skip)]
    pub derived: Derived,
}

/// A slot the executor fills on first use with what it derives from a state, and keeps as
/// long as the state: the model neither knows its type nor builds it (the executor sits
/// above this layer). A clone starts empty.
#[derive(Default)]
pub struct Derived(OnceLock<Box<dyn Any + Send + Sync>>);

impl Derived {
    /// The derived value, built by `init` on first use; `None` only if the slot already holds
    /// another type.
    pub fn get_or_init<T: Any + Send + Sync>(&self, init: impl FnOnce() -> T) -> Option<&T> {
        self.0.get_or_init(|| Box::new(init())).downcast_ref()
    }
}

impl Clone for Derived {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl std::fmt::Debug for Derived {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "Derived(..)"
        } else {
            "Derived"
        })
    }
}

impl State {
    /// The Map state's item processor (`ItemProcessor`, or the legacy `Iterator`).
    pub fn processor(&self) -> Option<&StateMachine> {
        self.item_processor.as_deref().or(self.iterator.as_deref())
    }

    pub fn is_end(&self) -> bool {
        self.end == Some(true)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "UPPERCASE")]
pub enum ProcessorMode {
    #[default]
    Inline,
    Distributed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ExecutionType {
    Standard,
    Express,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct ProcessorConfig {
    pub mode: Option<ProcessorMode>,
    pub execution_type: Option<ExecutionType>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct ItemBatcher {
    pub max_items_per_batch: Option<Value>,
    pub max_items_per_batch_path: Option<String>,
    pub max_input_bytes_per_batch: Option<Value>,
    pub max_input_bytes_per_batch_path: Option<String>,
    pub batch_input: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum JitterStrategy {
    Full,
    None,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct Retrier {
    pub error_equals: Vec<String>,
    pub interval_seconds: Option<Value>,
    pub max_attempts: Option<Value>,
    pub backoff_rate: Option<Value>,
    pub max_delay_seconds: Option<Value>,
    pub jitter_strategy: Option<JitterStrategy>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct Catcher {
    pub error_equals: Vec<String>,
    pub next: String,
    #[serde(default)]
    pub result_path: Nullable<String>,
    pub output: Option<Value>,
    pub assign: Option<Value>,
    pub comment: Option<String>,
}
