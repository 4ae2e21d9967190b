//! The DynamoDB-compatible server the scenarios run on.
//!
//! moto_server answers on many threads and does not isolate concurrent writes to one item
//! (docs/chaos.md): the out-of-stock scenario's concurrent reservation and compensation of the
//! same order then end in states DynamoDB never shows (the order's reservations empty while the
//! inventory still counts one reserved). So, unless `AWS_ENDPOINT_URL_DYNAMODB` names a server,
//! the scenarios share one moto of their own that serves one request at a time, as DynamoDB
//! applies writes to an item: the same set-up as the chaos run's.

use crate::env::{LocalEnv, LocalError, REGION, on_real_time};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use shared::{Deps, TableNames};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// moto's WSGI app on one thread; it exits when its stdin closes, so it never outlives this
/// process, however that ends.
const SERIAL_MOTO: &str = r#"
import os, sys, threading
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
run_simple("127.0.0.1", int(sys.argv[1]), DomainDispatcherApplication(create_backend_app),
           threaded=False, use_reloader=False)
"#;

/// The process's serial moto: its endpoint, and the child kept (its stdin open) for as long as
/// the process lives.
static SERIAL: OnceLock<Result<(String, Mutex<Child>), String>> = OnceLock::new();

/// Where fresh scenario tables go: `None` for the server `AWS_ENDPOINT_URL_DYNAMODB` names
/// (through [`LocalEnv`]'s own lookup), else this process's serial moto, started on first use.
pub fn serial_endpoint() -> Result<Option<String>, LocalError> {
    if std::env::var("AWS_ENDPOINT_URL_DYNAMODB").is_ok_and(|v| !v.is_empty()) {
        return Ok(None);
    }
    match SERIAL.get_or_init(|| start().map_err(|e| e.to_string())) {
        Ok((endpoint, _)) => Ok(Some(endpoint.clone())),
        Err(message) => Err(LocalError::DynamoDb(message.clone())),
    }
}

fn start() -> Result<(String, Mutex<Child>), LocalError> {
    let port = TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| LocalError::DynamoDb(format!("no free port on 127.0.0.1: {e}")))?;
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let mut child = Command::new(&python)
        .args(["-c", SERIAL_MOTO, &port.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            LocalError::DynamoDb(format!(
                "cannot start {python} with moto (scripts/dev-env.sh installs it): {e}"
            ))
        })?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(LocalError::DynamoDb(format!(
                "{python} with moto exited ({status}); is moto[server] installed?"
            )));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            return Err(LocalError::DynamoDb(
                "moto did not listen within 30 s".into(),
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok((format!("http://127.0.0.1:{port}"), Mutex::new(child)))
}

/// Fresh, uniquely named tables (the contract's schema) on `endpoint`, `seed` stocked.
pub async fn fresh_env(endpoint: &str, seed: &[(String, u64)]) -> Result<LocalEnv, LocalError> {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new(
            "testing",
            "testing",
            None,
            None,
            "scenarios",
        ))
        .endpoint_url(endpoint)
        .build();
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let deps = Deps {
        dynamodb: Client::from_conf(config),
        tables: TableNames {
            orders: format!("OrdersTable-{suffix}"),
            inventory: format!("InventoryTable-{suffix}"),
            payments: format!("PaymentsTable-{suffix}"),
        },
    };
    let stock = seed.to_vec();
    let seeded = deps.clone();
    on_real_time(async move {
        shared::db::schema::create_tables(&seeded.dynamodb, &seeded.tables).await?;
        for (sku, available) in &stock {
            shared::db::inventory::put_stock(&seeded, sku, *available).await?;
        }
        Ok::<(), LocalError>(())
    })
    .await??;
    Ok(LocalEnv {
        endpoint: endpoint.to_owned(),
        deps,
    })
}
