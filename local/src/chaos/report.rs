//! What a chaos run did and found: orders per outcome, faults per kind, each invariant's
//! result and the orders (or SKUs) at fault.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::Duration;

use sfn_json::{Value, json};
use sfn_local::task::{ChaosConfig, ChaosStats};

use super::{Invariant, Violation};

#[derive(Debug, Clone)]
pub struct ChaosReport {
    pub seed: u64,
    pub orders: usize,
    pub concurrency: usize,
    pub config: ChaosConfig,
    /// Executions per outcome (`SUCCEEDED`, `FAILED PaymentDeclined`, ...).
    pub outcomes: BTreeMap<String, usize>,
    pub stats: ChaosStats,
    pub violations: Vec<Violation>,
    /// Orders whose run could not be completed: (order id, why).
    pub errors: Vec<(String, String)>,
    /// Running the orders.
    pub run_time: Duration,
    /// Everything: starting the tables, running, scanning, checking.
    pub wall_time: Duration,
}

impl ChaosReport {
    pub fn passed(&self) -> bool {
        self.violations.is_empty() && self.errors.is_empty()
    }

    pub fn violations_of(&self, invariant: Invariant) -> impl Iterator<Item = &Violation> {
        self.violations
            .iter()
            .filter(move |v| v.invariant == invariant)
    }

    pub fn orders_per_second(&self) -> f64 {
        let seconds = self.run_time.as_secs_f64();
        if seconds > 0.0 {
            self.orders as f64 / seconds
        } else {
            0.0
        }
    }

    /// The report as a person reads it.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let c = &self.config;
        let _ = writeln!(
            out,
            "chaos run: seed {}, {} orders, concurrency {}, faults per invocation: transient {:.3}, timeout {:.3}, duplicate {:.3}",
            self.seed, self.orders, self.concurrency, c.transient_failure, c.timeout, c.duplicate
        );
        let _ = writeln!(out, "\norders per outcome");
        for (outcome, n) in &self.outcomes {
            let _ = writeln!(out, "  {n:>6}  {outcome}");
        }
        let s = &self.stats;
        let _ = writeln!(
            out,
            "\nfaults injected ({} task invocations)",
            s.invocations
        );
        for (n, what) in [
            (
                s.service_errors_before,
                "service error before the function ran",
            ),
            (
                s.service_errors_after,
                "service error after the function ran (answer lost)",
            ),
            (
                s.timeouts,
                "timeout after the function ran (Sandbox.Timedout)",
            ),
            (s.duplicates, "duplicate delivery"),
        ] {
            let _ = writeln!(out, "  {n:>6}  {what}");
        }
        let _ = writeln!(out, "\ninvariants");
        for invariant in Invariant::ALL {
            let broken = self.violations_of(invariant).count();
            let verdict = if broken == 0 {
                "ok".to_owned()
            } else {
                format!("VIOLATED ({broken})")
            };
            let _ = writeln!(out, "  {verdict:<14}  {}", invariant.describe());
        }
        for v in &self.violations {
            let _ = writeln!(out, "  ✗ {v}");
        }
        if !self.errors.is_empty() {
            let _ = writeln!(out, "\nruns that could not finish ({})", self.errors.len());
            for (order, error) in &self.errors {
                let _ = writeln!(out, "  ✗ {order}: {error}");
            }
        }
        let _ = writeln!(
            out,
            "\n{} orders in {:.1} s ({:.1} orders/s); wall time {:.1} s",
            self.orders,
            self.run_time.as_secs_f64(),
            self.orders_per_second(),
            self.wall_time.as_secs_f64()
        );
        let _ = writeln!(out, "{}", if self.passed() { "PASSED" } else { "FAILED" });
        out
    }

    pub fn to_json(&self) -> Value {
        json!({
            "seed": self.seed,
            "orders": self.orders,
            "concurrency": self.concurrency,
            "config": self.config,
            "outcomes": self.outcomes,
            "faults": self.stats,
            "invariants": Invariant::ALL.iter().map(|i| json!({
                "invariant": i,
                "description": i.describe(),
                "violations": self.violations_of(*i).count(),
            })).collect::<Vec<_>>(),
            "violations": self.violations,
            "errors": self.errors.iter().map(|(o, e)| json!({"orderId": o, "error": e})).collect::<Vec<_>>(),
            "runSeconds": self.run_time.as_secs_f64(),
            "ordersPerSecond": self.orders_per_second(),
            "wallSeconds": self.wall_time.as_secs_f64(),
            "passed": self.passed(),
        })
    }
}
