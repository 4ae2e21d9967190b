//! Table-driven language tests (`tests/data/cases.json`): expressions ported from the
//! JSONata language reference and the JSONata-js test suite (MIT), plus AWS's functions.

mod common;

use common::{Case, check_case, load_cases};

#[test]
fn language_cases_pass() {
    let cases: Vec<Case> = load_cases();
    assert!(
        cases.len() > 300,
        "case table unexpectedly small: {}",
        cases.len()
    );
    let failures: Vec<String> = cases.iter().filter_map(|c| check_case(c).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
