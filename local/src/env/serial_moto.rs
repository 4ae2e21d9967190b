//! A moto server that serves one request at a time.
//!
//! moto_server answers on many threads and does not isolate concurrent writes to one item: two
//! TransactWriteItems on the same order (the ASL's Map reserves every line item at once) can
//! lose one another's changes, states DynamoDB never shows. The scenarios and the chaos run
//! therefore use a moto of their own on one thread (unless `AWS_ENDPOINT_URL_DYNAMODB` names a
//! server): each request is applied whole before the next, as DynamoDB applies writes to an item.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use shared::{Deps, TableNames};

use super::{LocalEnv, LocalError, REGION, on_real_time};

/// moto's WSGI app on one thread; it exits when its stdin closes, so it never outlives the
/// process that started it, however that process ends.
const SERIAL_MOTO: &str = r#"
import os, sys, threading
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
run_simple("127.0.0.1", int(sys.argv[1]), DomainDispatcherApplication(create_backend_app),
           threaded=False, use_reloader=False)
"#;

/// A moto server on one thread, stopped when dropped.
pub struct SerialMoto {
    child: Child,
    pub endpoint: String,
}

impl SerialMoto {
    /// Starts `python3` with moto's WSGI app on a free loopback port and waits until it
    /// accepts connections.
    pub fn start() -> Result<Self, LocalError> {
        let port = TcpListener::bind(("127.0.0.1", 0))
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|e| LocalError::DynamoDb(format!("no free port on 127.0.0.1: {e}")))?;
        let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        let child = Command::new(&python)
            .args(["-c", SERIAL_MOTO, &port.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                LocalError::DynamoDb(format!(
                    "cannot start {python} with moto (pip install 'moto[server]'): {e}"
                ))
            })?;
        let mut moto = SerialMoto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = moto.child.try_wait() {
                return Err(LocalError::DynamoDb(format!(
                    "{python} with moto exited ({status}); is moto[server] installed?"
                )));
            }
            if Instant::now() > deadline {
                return Err(LocalError::DynamoDb(
                    "moto did not listen within 30 s".into(),
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(moto)
    }
}

impl Drop for SerialMoto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Fresh, uniquely named tables on `endpoint` (the schema the template declares) with
/// `stock` seeded.
pub async fn env_on(endpoint: &str, stock: &[(String, u64)]) -> Result<LocalEnv, LocalError> {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "local"))
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
    let stock = stock.to_vec();
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
