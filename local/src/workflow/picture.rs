//! The path taken as a Mermaid flowchart: every state of the definition (Parallel branches and
//! Map processors as subgraphs), every transition it declares, and the ones this execution
//! took drawn thick, the states it entered highlighted.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

use sfn_local::StateMachine;
use sfn_local::history::Event;

use super::trace::{Threads, state_name};

/// Mermaid `flowchart TD` text.
pub fn mermaid(machine: &StateMachine, history: &[Event]) -> String {
    let taken = taken_edges(history);
    let entered: BTreeSet<&str> = history
        .iter()
        .filter_map(|e| state_name(e, "stateEnteredEventDetails"))
        .collect();
    let mut picture = Picture {
        entered: entered.iter().map(|name| (*name).to_owned()).collect(),
        ..Picture::default()
    };
    let _ = writeln!(picture.text, "flowchart TD");
    let _ = writeln!(picture.text, "    start((start))");
    let first = picture.id(&machine.start_at);
    picture.edge(
        "start",
        &first,
        None,
        entered.contains(machine.start_at.as_str()),
    );
    picture.scope(machine, "    ", &taken, true);
    let visited: Vec<String> = entered.iter().map(|name| picture.id(name)).collect();
    let _ = writeln!(
        picture.text,
        "    classDef taken fill:#d4f7d4,stroke:#2a7a2a,stroke-width:2px"
    );
    if !visited.is_empty() {
        let _ = writeln!(picture.text, "    class {} taken", visited.join(","));
    }
    picture.text
}

/// `(from, to)` for each transition the execution made within one thread of control.
fn taken_edges(history: &[Event]) -> BTreeSet<(String, String)> {
    let mut threads = Threads::default();
    let mut last: HashMap<u64, String> = HashMap::new();
    let mut edges = BTreeSet::new();
    for event in history {
        let (thread, _) = threads.place(event);
        if let Some(name) = state_name(event, "stateEnteredEventDetails")
            && let Some(previous) = last.insert(thread, name.to_owned())
        {
            edges.insert((previous, name.to_owned()));
        }
    }
    edges
}

#[derive(Default)]
struct Picture {
    text: String,
    ids: HashMap<String, String>,
    /// States the execution entered.
    entered: BTreeSet<String>,
}

impl Picture {
    /// A Mermaid-safe node id per state name (names may hold spaces and punctuation).
    fn id(&mut self, name: &str) -> String {
        let next = format!("s{}", self.ids.len());
        self.ids.entry(name.to_owned()).or_insert(next).clone()
    }

    fn edge(&mut self, from: &str, to: &str, label: Option<&str>, taken: bool) {
        let arrow = if taken { "==>" } else { "-.->" };
        let label = label
            .map(|l| format!("|{}|", l.replace('"', "'")))
            .unwrap_or_default();
        let _ = writeln!(self.text, "    {from} {arrow}{label} {to}");
    }

    fn scope(
        &mut self,
        machine: &StateMachine,
        indent: &str,
        taken: &BTreeSet<(String, String)>,
        top: bool,
    ) {
        for (name, state) in machine.states.iter() {
            let id = self.id(name);
            let label = format!("{name}<br/><small>{}</small>", state.kind.as_str());
            let _ = writeln!(self.text, "{indent}{id}[\"{}\"]", label.replace('"', "'"));
            let mut targets: Vec<(String, Option<String>)> = Vec::new();
            if let Some(next) = &state.next {
                targets.push((next.clone(), None));
            }
            for (i, rule) in state.choices.iter().flatten().enumerate() {
                if let Some(next) = &rule.next {
                    targets.push((next.clone(), Some(format!("rule {}", i + 1))));
                }
            }
            if let Some(default) = &state.default {
                targets.push((default.clone(), Some("Default".to_owned())));
            }
            for catcher in state.catch.iter().flatten() {
                let errors = catcher.error_equals.join(", ");
                targets.push((catcher.next.clone(), Some(format!("catch {errors}"))));
            }
            for (target, label) in targets {
                let to = self.id(&target);
                let was_taken = taken.contains(&(name.to_owned(), target));
                self.edge(&id, &to, label.as_deref(), was_taken);
            }
            if top && state.is_end() {
                let _ = writeln!(self.text, "    {id} --> stop((end))");
            }
            let children: Vec<&StateMachine> = state
                .branches
                .iter()
                .flatten()
                .chain(state.processor())
                .collect();
            for (i, child) in children.into_iter().enumerate() {
                let _ = writeln!(
                    self.text,
                    "{indent}subgraph {id}_{i} [\"{name} {}\"]",
                    i + 1
                );
                self.scope(child, &format!("{indent}    "), taken, false);
                let _ = writeln!(self.text, "{indent}end");
                let first = self.id(&child.start_at);
                let ran = self.entered.contains(&child.start_at);
                self.edge(&id, &first, None, ran);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sfn_json::json;

    fn event(id: u64, previous: u64, kind: &str, entered: Option<&str>) -> Event {
        Event {
            id,
            previous_event_id: previous,
            timestamp: "2026-01-01T00:00:00.000Z".into(),
            kind: kind.into(),
            details: entered.map(|n| ("stateEnteredEventDetails".to_owned(), json!({"name": n}))),
        }
    }

    #[test]
    fn taken_transitions_are_thick_and_entered_states_highlighted() {
        let definition = json!({"StartAt": "A", "States": {
            "A": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "B"}],
                  "Default": "C"},
            "B": {"Type": "Parallel", "Branches": [
                {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": true}}},
                {"StartAt": "B2", "States": {"B2": {"Type": "Pass", "End": true}}}],
                  "End": true},
            "C": {"Type": "Succeed"}}});
        let machine =
            sfn_local::parse_definition(&definition.to_string()).unwrap_or_else(|e| panic!("{e}"));
        let history = [
            event(1, 0, "ExecutionStarted", None),
            event(2, 1, "ChoiceStateEntered", Some("A")),
            event(3, 2, "ParallelStateEntered", Some("B")),
            event(4, 3, "ParallelStateStarted", None),
            event(5, 4, "PassStateEntered", Some("B1")),
            event(6, 4, "PassStateEntered", Some("B2")),
        ];
        let text = mermaid(&machine, &history);
        // A→B by rule 1 was taken, A→C (Default) was not; B1 and B2 are in other threads, so
        // no B1→B2 edge was invented.
        assert!(text.contains("s0 ==>|rule 1| s1"), "{text}");
        assert!(text.contains("s0 -.->|Default| s2"), "{text}");
        assert!(text.contains("s1 ==> s3"), "branch 1 entered: {text}");
        assert!(text.contains("s1 ==> s4"), "branch 2 entered: {text}");
        assert!(text.contains("class s0,s1,s3,s4 taken"), "{text}");
        assert!(!text.contains("s2 taken"), "{text}");
    }
}
