//! Test tooling: a real local DynamoDB-compatible server and fresh tables per test.
//!
//! `AWS_ENDPOINT_URL_DYNAMODB`, when set, names the server to use. Otherwise the first
//! test of the process starts `moto_server` on a free loopback port; it is killed when
//! the test process ends (`PR_SET_PDEATHSIG` on a thread that lives as long as the process).

use crate::config::{Deps, TableNames};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::{Duration, Instant};

const INSTALL_HINT: &str = "the tests need a local DynamoDB: install moto with \
    `pip install 'moto[server]'` (provides `moto_server`), or set AWS_ENDPOINT_URL_DYNAMODB \
    to a running DynamoDB Local";

static ENDPOINT: OnceLock<Result<String, String>> = OnceLock::new();

/// The endpoint of the local DynamoDB, starting moto_server once per process.
/// Panics with installation instructions when it cannot be started.
pub fn endpoint() -> String {
    match try_endpoint() {
        Ok(url) => url,
        Err(message) => panic!("{message}"),
    }
}

/// Like [`endpoint`], but says why the server cannot be started instead of panicking
/// (command-line tools report it).
pub fn try_endpoint() -> Result<String, String> {
    ENDPOINT
        .get_or_init(|| match std::env::var("AWS_ENDPOINT_URL_DYNAMODB") {
            Ok(url) if !url.is_empty() => Ok(url),
            _ => start_moto(),
        })
        .clone()
}

/// A client for the local server: static test credentials, region us-east-1.
pub fn client() -> Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "tests"))
        .endpoint_url(endpoint())
        .build();
    Client::from_conf(config)
}

/// Dependencies whose DynamoDB endpoint refuses connections (a closed loopback port), with
/// SDK retries off: every call fails the way an outage does.
pub fn unreachable_deps() -> Deps {
    let port = free_port().unwrap_or(9);
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "tests"))
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::disabled())
        .build();
    Deps {
        dynamodb: Client::from_conf(config),
        tables: TableNames {
            orders: "orders".into(),
            inventory: "inventory".into(),
            payments: "payments".into(),
        },
    }
}

/// Dependencies with three new, uniquely named tables, so tests run in parallel.
pub async fn fresh_deps() -> Deps {
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let tables = TableNames {
        orders: format!("orders-{suffix}"),
        inventory: format!("inventory-{suffix}"),
        payments: format!("payments-{suffix}"),
    };
    let dynamodb = client();
    if let Err(e) = crate::db::schema::create_tables(&dynamodb, &tables).await {
        panic!("creating test tables at {}: {e}", endpoint());
    }
    Deps { dynamodb, tables }
}

/// Stocks SKUs: `(sku, available)`.
pub async fn stock(deps: &Deps, skus: &[(&str, u64)]) {
    for (sku, available) in skus {
        if let Err(e) = crate::db::inventory::put_stock(deps, sku, *available).await {
            panic!("stocking {sku}: {e}");
        }
    }
}

/// Every item of a table (tests use it to prove that nothing was written).
pub async fn scan(deps: &Deps, table: &str) -> Vec<crate::db::Item> {
    match deps.dynamodb.scan().table_name(table).send().await {
        Ok(output) => output.items.unwrap_or_default(),
        Err(e) => panic!("scanning {table}: {e:?}"),
    }
}

/// Number of items in all three tables.
pub async fn item_count(deps: &Deps) -> usize {
    let mut count = 0;
    for table in [
        &deps.tables.orders,
        &deps.tables.inventory,
        &deps.tables.payments,
    ] {
        count += scan(deps, table).await.len();
    }
    count
}

fn start_moto() -> Result<String, String> {
    let port = free_port()?;
    let (sender, receiver) = mpsc::channel();
    // The server's parent is this thread, which never ends: the server gets SIGKILL
    // exactly when the test process exits.
    std::thread::Builder::new()
        .name("moto_server".into())
        .spawn(move || {
            let (result, _server) = match spawn_and_wait(port) {
                Ok((url, child)) => (Ok(url), Some(child)),
                Err(message) => (Err(message), None),
            };
            let _ = sender.send(result);
            loop {
                std::thread::park();
            }
        })
        .map_err(|e| format!("cannot start the moto_server thread: {e}"))?;
    receiver
        .recv()
        .map_err(|e| format!("moto_server thread ended: {e}"))?
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| format!("no free loopback port: {e}"))
}

fn log_path(port: u16) -> PathBuf {
    std::env::temp_dir().join(format!("moto_server-{port}.log"))
}

fn spawn_and_wait(port: u16) -> Result<(String, Child), String> {
    let mut child = spawn_moto(port)?;
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
            return Ok((format!("http://{address}"), child));
        }
        if let Ok(Some(status)) = child.try_wait() {
            let log = std::fs::read_to_string(log_path(port)).unwrap_or_default();
            return Err(format!(
                "moto_server exited ({status}) before answering.\n{INSTALL_HINT}\nlog:\n{log}"
            ));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            return Err(format!("moto_server did not answer on {address} in 60 s"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn spawn_moto(port: u16) -> Result<Child, String> {
    let port = port.to_string();
    let candidates: [(&str, &[&str]); 2] = [
        ("moto_server", &["-H", "127.0.0.1", "-p", &port]),
        (
            "python3",
            &["-m", "moto.server", "-H", "127.0.0.1", "-p", &port],
        ),
    ];
    let mut failures = Vec::new();
    for (program, args) in candidates {
        let log = std::fs::File::create(log_path(port.parse().unwrap_or(0)))
            .map_err(|e| format!("cannot create the moto_server log: {e}"))?;
        let mut command = Command::new(program);
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            command.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        match command.spawn() {
            Ok(child) => return Ok(child),
            Err(e) => failures.push(format!("{program}: {e}")),
        }
    }
    Err(format!(
        "cannot start moto_server ({}).\n{INSTALL_HINT}",
        failures.join("; ")
    ))
}

/// Every item of the three tables, as JSON (order-insensitive comparison).
pub async fn snapshot(deps: &Deps) -> Vec<serde_json::Value> {
    let mut items = Vec::new();
    for table in [
        &deps.tables.orders,
        &deps.tables.inventory,
        &deps.tables.payments,
    ] {
        for item in scan(deps, table).await {
            match serde_dynamo::from_item::<_, serde_json::Value>(crate::db::with_sorted_sets(item))
            {
                Ok(value) => items.push(serde_json::json!({"table": table, "item": value})),
                Err(e) => panic!("item of {table} is not JSON: {e}"),
            }
        }
    }
    items
}

/// Asserts that two snapshots hold the same items.
pub fn assert_same_items(before: &[serde_json::Value], after: &[serde_json::Value]) {
    assert_eq!(before.len(), after.len(), "items were added or removed");
    for item in before {
        assert!(after.contains(item), "item changed: {item}");
    }
}

/// Asserts that `handle` rejects every payload with the error named `name`, and that
/// none of them wrote anything.
pub async fn assert_rejected<T, E, F, Fut>(
    deps: &Deps,
    name: &str,
    payloads: &[serde_json::Value],
    handle: F,
) where
    T: std::fmt::Debug,
    E: crate::error::ErrorName,
    F: Fn(serde_json::Value) -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let before = snapshot(deps).await;
    for payload in payloads {
        match handle(payload.clone()).await {
            Ok(output) => panic!("{payload} was accepted: {output:?}"),
            Err(error) => {
                assert_eq!(error.error_name(), name, "{payload} gave {error}");
                let diagnostic = crate::error::diagnostic(&error);
                assert_eq!(diagnostic.error_type, name);
            }
        }
    }
    assert_same_items(&before, &snapshot(deps).await);
}

/// Payloads that are not JSON objects at all.
pub fn non_objects() -> Vec<serde_json::Value> {
    use serde_json::json;
    vec![
        json!(null),
        json!([]),
        json!([{"orderId": "ord-1"}]),
        json!("ord-1"),
        json!(42),
        json!(true),
        json!({}),
    ]
}

/// The contract's sample order with another id.
pub fn sample_order(order_id: &str) -> serde_json::Value {
    serde_json::json!({"orderId": order_id, "customerId": "cust-42",
        "items": [{"sku": "SKU-APPLE", "quantity": 2, "unitPriceCents": 150}],
        "payment": {"method": "card", "token": "tok_visa"},
        "shipping": {"name": "Ada Lovelace", "email": "ada@example.com", "line1": "1 Main St",
            "city": "London", "postalCode": "N1 9GU", "country": "GB", "speed": "standard"}})
}

/// Stores an order as validate-order does; panics if it is invalid or conflicts.
pub async fn store_validated(deps: &Deps, order: &serde_json::Value) -> crate::order::Order {
    let order = crate::order::Order::parse(order).unwrap_or_else(|v| panic!("{v}"));
    let total = order.total_cents().unwrap_or(0);
    match crate::db::orders::put_validated(deps, &order, &order.hash(), total).await {
        Ok(true) => order,
        Ok(false) => panic!("order {} conflicts", order.order_id),
        Err(e) => panic!("storing order {}: {e}", order.order_id),
    }
}

/// The stored order item (consistent read), or an empty item when absent.
pub async fn order_item(deps: &Deps, order_id: &str) -> crate::db::Item {
    match crate::db::orders::get(deps, order_id).await {
        Ok(item) => item.unwrap_or_default(),
        Err(e) => panic!("reading order {order_id}: {e}"),
    }
}

/// Values of every JSON type and edge: what a careless or hostile caller may send.
pub fn odd_values() -> Vec<serde_json::Value> {
    use serde_json::json;
    vec![
        json!(null),
        json!(true),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(1e300),
        json!(""),
        json!("x"),
        json!("\u{1F4A5}".repeat(300)),
        json!("a\u{0}b"),
        json!([]),
        json!([null]),
        json!({}),
        json!({"nested": {"deeper": [1, "2", null]}}),
    ]
}

/// Every payload that differs from `valid` in one place: each value (and the whole payload)
/// replaced by each of [`odd_values`], and each object field removed.
pub fn mutations(valid: &serde_json::Value) -> Vec<serde_json::Value> {
    let mut pointers = Vec::new();
    collect_pointers(valid, String::new(), &mut pointers);
    let mut out = odd_values();
    for pointer in pointers {
        for odd in odd_values() {
            let mut payload = valid.clone();
            if let Some(slot) = payload.pointer_mut(&pointer) {
                *slot = odd;
                out.push(payload);
            }
        }
        if let Some((parent, key)) = pointer.rsplit_once('/') {
            let mut payload = valid.clone();
            if let Some(serde_json::Value::Object(map)) = payload.pointer_mut(parent) {
                map.remove(&key.replace("~1", "/").replace("~0", "~"));
                out.push(payload);
            }
        }
    }
    out
}

fn collect_pointers(value: &serde_json::Value, at: String, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, child) in map {
                let path = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                out.push(path.clone());
                collect_pointers(child, path, out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let path = format!("{at}/{i}");
                out.push(path.clone());
                collect_pointers(child, path, out);
            }
        }
        _ => {}
    }
}

/// Feeds every mutation of `valid` to `handle`: each must succeed or fail with one of
/// `allowed` (the function's contract errors). A panic fails the test.
pub async fn assert_total<T, E, F, Fut>(
    valid: &serde_json::Value,
    allowed: &[&str],
    handle: F,
) -> usize
where
    E: crate::error::ErrorName,
    F: Fn(serde_json::Value) -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let payloads = mutations(valid);
    for payload in &payloads {
        if let Err(error) = handle(payload.clone()).await {
            assert!(
                allowed.contains(&error.error_name()),
                "{payload} gave {}: {error}",
                error.error_name()
            );
        }
    }
    payloads.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mutations_cover_every_field_and_removal() {
        let valid = json!({"a": 1, "b": {"c": [true]}});
        let all = mutations(&valid);
        // 16 whole-payload values + 4 places x 16 values + 3 removable fields.
        assert_eq!(all.len(), 16 + 4 * 16 + 3);
        assert!(all.contains(&json!({"b": {"c": [true]}})));
        assert!(all.contains(&json!({"a": 1, "b": {"c": [null]}})));
        assert!(all.contains(&json!({"a": 1, "b": {}})));
    }
}
