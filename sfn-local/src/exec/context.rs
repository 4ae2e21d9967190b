//! The state being executed and its context object (`$$`).

use std::sync::{Arc, LazyLock};

use chrono::{DateTime, Utc};
use sfn_json::{Map, Value};

use super::run::{Run, format_time};
use crate::error::StatesError;
use crate::expr::Scope;
use crate::model::{QueryLanguage, State, Targets};

/// What a machine, branch or iteration runs in: the state machine's top-level query language
/// (states that do not set their own run in it; a Map's or Parallel's own language does not
/// reach the states inside it, as on AWS) and the workflow variables it can see.
#[derive(Clone)]
pub(crate) struct Frame {
    pub language: QueryLanguage,
    /// Copy-on-write: inner scopes (Parallel branches, Map iterations) start from the outer
    /// values and their assignments never reach back out.
    pub variables: Arc<Map>,
    /// The JSON size of `variables` together, kept as they change (AWS caps it at 10 MiB).
    pub variables_bytes: usize,
}

/// The variables of every frame that has none yet: shared, so starting an execution
/// allocates no map (the first assignment copies it, as copy-on-write does).
static NO_VARIABLES: LazyLock<Arc<Map>> = LazyLock::new(Arc::default);

impl Default for Frame {
    fn default() -> Self {
        Self {
            language: QueryLanguage::default(),
            variables: Arc::clone(&NO_VARIABLES),
            variables_bytes: 0,
        }
    }
}

/// One state while it executes.
pub(crate) struct StateCtx<'a> {
    pub run: &'a Run,
    pub name: &'a str,
    pub state: &'a State,
    /// Where the state's transitions lead (positions resolved at parse time).
    pub targets: &'a Targets,
    pub entered_id: u64,
    /// Read only by the context object (`$$.State.EnteredTime`): taken for states that use it.
    pub entered_at: Option<DateTime<Utc>>,
    /// The state's effective query language.
    pub language: QueryLanguage,
    /// The state machine's top-level language, which inner frames carry on.
    machine_language: QueryLanguage,
    pub variables: Arc<Map>,
    pub variables_bytes: usize,
}

/// Per-moment parts of `$$`.
#[derive(Default, Clone, Copy)]
pub(crate) struct Extras<'a> {
    pub retry_count: u32,
    pub task_token: Option<&'a str>,
    pub map_item: Option<(usize, &'a Value)>,
}

impl<'a> StateCtx<'a> {
    pub fn new(
        run: &'a Run,
        name: &'a str,
        (state, targets): (&'a State, &'a Targets),
        entered_id: u64,
        frame: Frame,
    ) -> Self {
        Self {
            run,
            name,
            state,
            targets,
            entered_id,
            entered_at: state.uses_context.then(|| run.now()),
            language: state.query_language.unwrap_or(frame.language),
            machine_language: frame.language,
            variables: frame.variables,
            variables_bytes: frame.variables_bytes,
        }
    }

    /// The frame back (its variables moved in and out: no reference count per state), in
    /// `language`, the frame's own language.
    pub fn into_frame(self, language: QueryLanguage) -> Frame {
        Frame {
            language,
            variables: self.variables,
            variables_bytes: self.variables_bytes,
        }
    }

    pub fn is_jsonata(&self) -> bool {
        self.language == QueryLanguage::JSONata
    }

    /// The frame the state's Parallel branches and Map iterations run in.
    pub fn inner_frame(&self) -> Frame {
        Frame {
            language: self.machine_language,
            variables: Arc::clone(&self.variables),
            variables_bytes: self.variables_bytes,
        }
    }

    /// A JSONPath scope over `input` and `context` with the variables in scope.
    pub fn scope<'v>(&'v self, input: &'v Value, context: &'v Value) -> Scope<'v> {
        Scope {
            input,
            context,
            variables: &self.variables,
        }
    }

    /// The context object, or `null` for states that never read it (most; building it costs).
    pub fn context(&self, extras: Extras<'_>) -> Value {
        if !self.state.uses_context {
            return Value::Null;
        }
        self.full_context(extras)
    }

    pub fn full_context(&self, extras: Extras<'_>) -> Value {
        let mut context = Map::new();
        if self.state.uses_execution_context {
            context.insert(
                "Execution",
                self.run
                    .execution_context
                    .as_deref()
                    .cloned()
                    .unwrap_or_default(),
            );
        }
        // Built directly, not with `json!` (which goes through serde_json): this runs for every
        // visit that reads `$$`, every iteration of a Map whose ItemSelector reads it.
        let entered = format_time(self.entered_at.unwrap_or_else(|| self.run.now()));
        context.insert(
            "State",
            object([
                ("EnteredTime", Value::String(entered)),
                ("Name", Value::from(self.name)),
                ("RetryCount", Value::from(extras.retry_count)),
            ]),
        );
        context.insert(
            "StateMachine",
            self.run
                .state_machine_context
                .as_deref()
                .cloned()
                .unwrap_or_default(),
        );
        if let Some(token) = extras.task_token {
            context.insert("Task", object([("Token", Value::from(token))]));
        }
        if let Some((index, value)) = extras.map_item {
            let item = object([("Index", Value::from(index)), ("Value", value.clone())]);
            context.insert("Map", object([("Item", item)]));
        }
        Value::Object(context)
    }

    /// AWS's prefix on errors a state raises while processing its own fields.
    pub fn located(&self, e: StatesError) -> StatesError {
        StatesError::new(
            e.error,
            format!(
                "An error occurred while executing the state '{}' (entered at the event id #{}). {}",
                self.name, self.entered_id, e.cause
            ),
        )
    }
}

/// An object of distinct keys, in order.
fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    let mut map = Map::with_capacity(N);
    for (key, value) in entries {
        map.push_unique(key.into(), value);
    }
    Value::Object(map)
}
