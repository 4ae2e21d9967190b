//! Recursion guard by stack usage: deep nesting in an expression (or a runaway recursive
//! lambda) ends in error `U1001` instead of overflowing the thread's stack.
//!
//! Frames are far larger in unoptimised builds than in release builds, so a fixed depth
//! limit is either too tight for one or unsafe for the other; measuring the distance from
//! the stack position at entry adapts to both.

use crate::error::{JsonataError, Result};

/// Stack the parser or evaluator may use below its entry point. Threads get at least
/// 2 MiB (Tokio's worker default), which leaves room for the caller and library calls.
pub const STACK_BUDGET: usize = 1024 * 1024;

#[derive(Debug, Clone, Copy)]
pub struct StackGuard {
    base: usize,
}

#[inline(always)]
fn position() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

impl StackGuard {
    pub fn new() -> Self {
        StackGuard { base: position() }
    }

    pub fn check(&self, pos: usize) -> Result<()> {
        if self.base.abs_diff(position()) > STACK_BUDGET {
            return Err(JsonataError::new(
                "U1001",
                "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.",
            )
            .at(pos));
        }
        Ok(())
    }
}
