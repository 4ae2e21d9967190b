//! The real-time runtime that every piece of I/O runs on (handlers' DynamoDB calls, the Step
//! Functions API server, the SDK clients), apart from the engine's virtual clock.
//!
//! The engine runs on a paused tokio clock: when all its tasks are idle, virtual time jumps to
//! the next timer. I/O awaited on that runtime would let a Wait or a retry back-off fire while
//! a DynamoDB call is in flight. So I/O runs here, and the engine side waits for it on a
//! blocking-pool thread, which stops the paused clock from advancing meanwhile.

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::Runtime;

use super::LocalError;

static REAL_TIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

/// The process's one real-time multi-thread runtime (built on first use, never dropped).
pub fn real_time() -> Result<&'static Runtime, LocalError> {
    REAL_TIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("order-local-io")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| LocalError::Runtime(format!("cannot start the I/O runtime: {e}")))
}

/// Runs `future` on the real-time runtime and waits for it without letting a paused clock of
/// the caller's runtime advance (see the module comment). Works from any runtime, or none.
pub async fn on_real_time<F, T>(future: F) -> Result<T, LocalError>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let runtime = real_time()?;
    if tokio::runtime::Handle::try_current().is_err() {
        return Ok(runtime.block_on(future));
    }
    tokio::task::spawn_blocking(move || runtime.block_on(future))
        .await
        .map_err(|e| LocalError::Runtime(format!("I/O task ended abnormally: {e}")))
}
