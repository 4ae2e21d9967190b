//! Starts a function binary against the runtime API emulator and times it the way Lambda sees
//! it: init (process start → first poll for work), first and warm invocations, peak RSS.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use tokio::process::{Child, Command};

use crate::runtime_api::{Completion, RuntimeApi};

/// Everything needed to start one function the way Lambda would.
#[derive(Debug, Clone)]
pub struct Launch {
    pub function: String,
    pub binary: PathBuf,
    pub memory_mb: u32,
    /// Extra environment: table names, endpoints, credentials.
    pub env: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum MeasureError {
    #[error("could not start {binary}: {source}")]
    Spawn {
        binary: String,
        source: std::io::Error,
    },
    #[error("{function} did not ask for work within {0:?}", INIT_LIMIT)]
    InitTimeout { function: String },
    #[error("{function} reported an init error: {message}")]
    InitFailed { function: String, message: String },
    #[error("{function} exited or stopped answering during invocation {index}")]
    InvocationLost { function: String, index: usize },
    #[error("runtime API emulator: {0}")]
    Emulator(#[from] std::io::Error),
}

const INIT_LIMIT: Duration = Duration::from_secs(10);
const INVOKE_LIMIT: Duration = Duration::from_secs(30);

/// One process start until its first `GET /invocation/next`.
#[derive(Debug, Clone, Copy)]
pub struct Init {
    /// Wall time from spawn to the first poll.
    pub wall: Duration,
    /// Of which the process's threads ran on a CPU, and waited for one (run queue), from
    /// `/proc/<pid>/task/*/schedstat`: on a shared machine the wall time is mostly waiting.
    pub sched: Option<SchedTime>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SchedTime {
    pub on_cpu: Duration,
    pub run_queue: Duration,
}

/// Time from spawning the process to its first `GET /invocation/next`.
pub async fn cold_init(launch: &Launch) -> Result<Init, MeasureError> {
    let api = RuntimeApi::start().await?;
    let (mut child, init) = start(launch, &api).await?;
    let _ = child.kill().await;
    Ok(init)
}

/// One warm run: init, the first invocation, then `warm` more, and the process's peak RSS.
pub struct WarmRun {
    pub init: Init,
    pub first: Completion,
    pub warm: Vec<Completion>,
    pub peak_rss_kib: Option<u64>,
    /// CPU time the function's threads used across the warm invocations (`schedstat`): its
    /// own work, without the wake-ups a round trip also waits for.
    pub warm_cpu: Option<Duration>,
}

pub async fn warm_run(
    launch: &Launch,
    event: &Bytes,
    warm: usize,
) -> Result<WarmRun, MeasureError> {
    let mut api = RuntimeApi::start().await?;
    let (mut child, init) = start(launch, &api).await?;
    let lost = |index| MeasureError::InvocationLost {
        function: launch.function.clone(),
        index,
    };
    let first = invoke(&mut api, event).await.ok_or_else(|| lost(0))?;
    let cpu_before = child.id().and_then(sched_time);
    let mut completions = Vec::with_capacity(warm);
    for index in 1..=warm {
        completions.push(invoke(&mut api, event).await.ok_or_else(|| lost(index))?);
    }
    let cpu_after = child.id().and_then(sched_time);
    let warm_cpu = cpu_before
        .zip(cpu_after)
        .map(|(before, after)| after.on_cpu.saturating_sub(before.on_cpu));
    let peak_rss_kib = child.id().and_then(peak_rss_kib);
    let _ = child.kill().await;
    Ok(WarmRun {
        init,
        first,
        warm: completions,
        peak_rss_kib,
        warm_cpu,
    })
}

async fn invoke(api: &mut RuntimeApi, event: &Bytes) -> Option<Completion> {
    tokio::time::timeout(INVOKE_LIMIT, api.invoke(event.clone()))
        .await
        .ok()
        .flatten()
}

async fn start(launch: &Launch, api: &RuntimeApi) -> Result<(Child, Init), MeasureError> {
    let first_poll = api.first_poll().await;
    let mut command = Command::new(&launch.binary);
    command
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("AWS_LAMBDA_RUNTIME_API", api.addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", &launch.function)
        .env(
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            launch.memory_mb.to_string(),
        )
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env(
            "AWS_LAMBDA_LOG_GROUP_NAME",
            format!("/aws/lambda/{}", launch.function),
        )
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .env("AWS_REGION", "us-east-1")
        .env("RUST_LOG", "warn")
        .envs(launch.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    let started = Instant::now();
    let mut child = command.spawn().map_err(|source| MeasureError::Spawn {
        binary: launch.binary.display().to_string(),
        source,
    })?;
    match tokio::time::timeout(INIT_LIMIT, first_poll).await {
        Ok(Ok(polled_at)) => {
            // The process now waits for an event: its CPU time so far is its init's.
            let sched = child.id().and_then(sched_time);
            let wall = polled_at.duration_since(started);
            Ok((child, Init { wall, sched }))
        }
        _ => {
            let _ = child.kill().await;
            Err(match api.init_error().await {
                Some(message) => MeasureError::InitFailed {
                    function: launch.function.clone(),
                    message,
                },
                None => MeasureError::InitTimeout {
                    function: launch.function.clone(),
                },
            })
        }
    }
}

/// CPU and run-queue time of every thread of a live process (`schedstat`: ns on CPU, ns
/// waiting, timeslices). A thread that exits while the folder is read is skipped.
fn sched_time(pid: u32) -> Option<SchedTime> {
    let tasks = std::fs::read_dir(Path::new("/proc").join(pid.to_string()).join("task")).ok()?;
    let mut total = SchedTime::default();
    for task in tasks.flatten() {
        let Some(time) = std::fs::read_to_string(task.path().join("schedstat"))
            .ok()
            .and_then(|text| parse_schedstat(&text))
        else {
            continue;
        };
        total.on_cpu += time.on_cpu;
        total.run_queue += time.run_queue;
    }
    Some(total)
}

fn parse_schedstat(text: &str) -> Option<SchedTime> {
    let mut fields = text.split_whitespace().map(|f| f.parse::<u64>().ok());
    let on_cpu = fields.next()??;
    let run_queue = fields.next()??;
    Some(SchedTime {
        on_cpu: Duration::from_nanos(on_cpu),
        run_queue: Duration::from_nanos(run_queue),
    })
}

/// `VmHWM` of a live process: the peak resident set size since it started.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status =
        std::fs::read_to_string(Path::new("/proc").join(pid.to_string()).join("status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedstat_gives_cpu_and_run_queue_time() {
        assert_eq!(
            parse_schedstat("1500000 250000 12\n"),
            Some(SchedTime {
                on_cpu: Duration::from_micros(1500),
                run_queue: Duration::from_micros(250),
            })
        );
        assert_eq!(parse_schedstat("garbage"), None);
        assert_eq!(parse_schedstat("1"), None);
    }

    #[test]
    fn this_process_has_a_cpu_time() {
        let time = sched_time(std::process::id()).expect("Linux /proc");
        assert!(time.on_cpu > Duration::ZERO);
    }
}
