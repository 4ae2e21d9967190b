//! Helpers for the tests that run the `sfn-local` binary.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

use sfn_json::Value;

/// Writes `content` as `name` in a folder of its own per test binary and `scope`.
pub fn temp_file(scope: &str, name: &str, content: &Value) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sfn-local-{scope}-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(name);
    std::fs::write(&path, content.to_string()).unwrap_or_else(|e| panic!("write {path:?}: {e}"));
    path
}

/// Runs the `sfn-local` binary built for these tests.
pub fn sfn_local(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sfn-local"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run sfn-local: {e}"))
}
