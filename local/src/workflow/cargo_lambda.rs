//! The functions as real processes: `cargo lambda watch` serving the Lambda Invoke API on
//! 127.0.0.1, started with the environment a deployed function gets (table names, endpoints,
//! `STATE_MACHINE_ARN`, `AWS_ENDPOINT_URL_SFN` pointing at the in-process Step Functions API).

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::env::{LocalEnv, LocalError, repo_root};

/// How long `cargo lambda watch` may take to listen (it builds nothing before the first
/// invocation, but its own start compiles its watcher on a cold machine).
const LISTEN_TIMEOUT: Duration = Duration::from_secs(300);

/// A running `cargo lambda watch`; stopped (its whole process group) when dropped.
pub struct CargoLambdaWatch {
    child: Child,
    pub endpoint: String,
    pub log: PathBuf,
}

/// A free loopback port (bound and released; the caller binds it next).
pub fn free_port() -> Result<u16, LocalError> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| LocalError::Runtime(format!("no free loopback port: {e}")))
}

impl CargoLambdaWatch {
    /// Builds the function binaries (so the first invocation does not compile them under the
    /// Invoke API client's 30 s timeout), then starts `cargo lambda watch` and waits until it
    /// listens.
    pub fn start(
        env: &LocalEnv,
        functions: &[String],
        sfn_endpoint: &str,
        state_machine_arn: &str,
    ) -> Result<Self, LocalError> {
        let root = repo_root();
        // One by one, as the watch builds them (`cargo run --bin NAME`: that binary's features
        // only); a joint build would unify features and the watch would build them again.
        for function in functions {
            let status = Command::new("cargo")
                .current_dir(&root)
                .args(["build", "-q", "-j", "2", "--bin", function])
                .status()
                .map_err(|e| LocalError::CargoLambda(format!("cannot run cargo build: {e}")))?;
            if !status.success() {
                return Err(LocalError::CargoLambda(format!(
                    "building {function} failed ({status})"
                )));
            }
        }
        let port = free_port()?;
        let log = std::env::temp_dir().join(format!("order-local-watch-{port}.log"));
        let log_file = std::fs::File::create(&log).map_err(|e| {
            LocalError::CargoLambda(format!("cannot create {}: {e}", log.display()))
        })?;
        let mut vars = env.function_env();
        vars.push(("AWS_ENDPOINT_URL_SFN".into(), sfn_endpoint.into()));
        vars.push(("STATE_MACHINE_ARN".into(), state_machine_arn.into()));
        vars.push((
            "RUST_LOG".into(),
            std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()),
        ));
        let mut watch = Command::new("cargo");
        watch.current_dir(&root).args([
            "lambda",
            "watch",
            "--ignore-changes",
            "--invoke-address",
            "127.0.0.1",
            "--invoke-port",
            &port.to_string(),
        ]);
        for (key, value) in &vars {
            watch.arg("--env-var").arg(format!("{key}={value}"));
            watch.env(key, value);
        }
        watch
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN")
            .stdin(Stdio::null())
            .stdout(
                log_file
                    .try_clone()
                    .map_err(|e| LocalError::CargoLambda(e.to_string()))?,
            )
            .stderr(log_file)
            // Its own process group: stopping it stops the function processes it started.
            .process_group(0);
        let child = watch.spawn().map_err(|e| {
            LocalError::CargoLambda(format!(
                "cannot start `cargo lambda watch` ({e}); install it with \
                 scripts/dev-env.sh --with-cargo-lambda"
            ))
        })?;
        let mut running = Self {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            log,
        };
        running.wait_until_listening(port)?;
        Ok(running)
    }

    fn wait_until_listening(&mut self, port: u16) -> Result<(), LocalError> {
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + LISTEN_TIMEOUT;
        loop {
            if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(LocalError::CargoLambda(format!(
                    "`cargo lambda watch` exited ({status}); its log: {}",
                    self.log.display()
                )));
            }
            if Instant::now() > deadline {
                return Err(LocalError::CargoLambda(format!(
                    "`cargo lambda watch` did not listen on {address} within {} s; its log: {}",
                    LISTEN_TIMEOUT.as_secs(),
                    self.log.display()
                )));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for CargoLambdaWatch {
    fn drop(&mut self) {
        let group = i32::try_from(self.child.id()).unwrap_or(0);
        if group > 0 {
            // The group we created; `kill -TERM -PGID` without a libc binding.
            let _ = Command::new("kill")
                .args(["-TERM", "--", &format!("-{group}")])
                .status();
        }
        let _ = self.child.wait();
    }
}
