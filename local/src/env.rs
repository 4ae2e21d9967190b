//! The local AWS side of a run: a DynamoDB-compatible server (moto_server, one per process,
//! unless `AWS_ENDPOINT_URL_DYNAMODB` names one), the template's tables under names unique to
//! this environment, and the inventory seed.

mod error;
mod runtime;
mod serial_moto;
pub mod template;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use sfn_json::Value;
use shared::{Deps, StoreError, TableKind, TableNames};

pub use error::LocalError;
pub use runtime::{on_real_time, real_time};
pub use serial_moto::{SerialMoto, env_on};
pub use template::{TableSpec, TemplateDoc};

/// The region and credentials every local client uses.
pub const REGION: &str = "us-east-1";
const ACCESS_KEY: &str = "testing";

/// The repository this crate is built from (template.yaml, events/).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The project's template.
pub fn default_template() -> PathBuf {
    repo_root().join("template.yaml")
}

/// A DynamoDB endpoint with the template's tables, uniquely named, and the inventory seeded.
#[derive(Debug, Clone)]
pub struct LocalEnv {
    pub endpoint: String,
    /// The client and the table names, as every handler gets them.
    pub deps: Deps,
}

impl LocalEnv {
    /// Tables from the project's template, inventory from events/inventory-seed.json.
    pub async fn start() -> Result<LocalEnv, LocalError> {
        let seed = read_seed(&repo_root().join("events").join("inventory-seed.json"))?;
        Self::start_with_seed(&seed).await
    }

    /// Tables from the project's template, inventory `(sku, available)`.
    pub async fn start_with_seed(seed: &[(String, u64)]) -> Result<LocalEnv, LocalError> {
        Self::from_template(&default_template(), seed).await
    }

    /// Tables from `template`, inventory `(sku, available)`.
    pub async fn from_template(
        template: &Path,
        seed: &[(String, u64)],
    ) -> Result<LocalEnv, LocalError> {
        Self::open(template, seed, None).await
    }

    /// Tables from `template` under the given names (created when missing, e.g. the names a
    /// running `cargo lambda watch` was started with), inventory re-seeded.
    pub async fn with_table_names(
        template: &Path,
        seed: &[(String, u64)],
        names: TableNames,
    ) -> Result<LocalEnv, LocalError> {
        Self::open(template, seed, Some(names)).await
    }

    async fn open(
        template: &Path,
        seed: &[(String, u64)],
        fixed: Option<TableNames>,
    ) -> Result<LocalEnv, LocalError> {
        let tables = TemplateDoc::load(template)?.tables()?;
        let seed = seed.to_vec();
        on_real_time(async move {
            let endpoint = tokio::task::spawn_blocking(shared::test_support::try_endpoint)
                .await
                .map_err(|e| LocalError::Runtime(e.to_string()))?
                .map_err(LocalError::DynamoDb)?;
            let dynamodb = client(&endpoint);
            let names = create_tables(&dynamodb, &tables, fixed).await?;
            let deps = Deps {
                dynamodb,
                tables: names,
            };
            for (sku, available) in &seed {
                shared::db::inventory::put_stock(&deps, sku, *available).await?;
            }
            Ok(LocalEnv { endpoint, deps })
        })
        .await?
    }

    /// The environment a function process needs to reach these tables (`cargo lambda watch`).
    pub fn function_env(&self) -> Vec<(String, String)> {
        let tables = &self.deps.tables;
        vec![
            (TableKind::Orders.env_var().into(), tables.orders.clone()),
            (
                TableKind::Inventory.env_var().into(),
                tables.inventory.clone(),
            ),
            (
                TableKind::Payments.env_var().into(),
                tables.payments.clone(),
            ),
            ("AWS_ENDPOINT_URL_DYNAMODB".into(), self.endpoint.clone()),
            ("AWS_REGION".into(), REGION.into()),
            ("AWS_ACCESS_KEY_ID".into(), ACCESS_KEY.into()),
            ("AWS_SECRET_ACCESS_KEY".into(), ACCESS_KEY.into()),
        ]
    }

    /// The order's item as JSON (consistent read), `None` when there is none.
    pub async fn order_record(&self, order_id: &str) -> Result<Option<Value>, LocalError> {
        let deps = self.deps.clone();
        let order_id = order_id.to_owned();
        on_real_time(async move {
            let item = shared::db::orders::get(&deps, &order_id).await?;
            item.map(to_json).transpose()
        })
        .await?
    }

    /// Every inventory item, by SKU.
    pub async fn inventory(&self) -> Result<BTreeMap<String, Value>, LocalError> {
        let items = self.scan_table(&self.deps.tables.inventory).await?;
        Ok(items
            .into_iter()
            .filter_map(|item| {
                let sku = item.get("sku")?.as_str()?.to_owned();
                Some((sku, item))
            })
            .collect())
    }

    /// Every payment item, ordered by order id.
    pub async fn payments(&self) -> Result<Vec<Value>, LocalError> {
        let mut items = self.scan_table(&self.deps.tables.payments).await?;
        items.sort_by(|a, b| {
            a.get("orderId")
                .map(Value::to_string)
                .cmp(&b.get("orderId").map(Value::to_string))
        });
        Ok(items)
    }

    /// Every item of `table` as JSON: a full, consistent, paginated scan.
    pub async fn scan_table(&self, table: &str) -> Result<Vec<Value>, LocalError> {
        let client = self.deps.dynamodb.clone();
        let table = table.to_owned();
        on_real_time(async move {
            let mut items = Vec::new();
            let mut start = None;
            loop {
                let page = client
                    .scan()
                    .table_name(&table)
                    .consistent_read(true)
                    .set_exclusive_start_key(start)
                    .send()
                    .await
                    .map_err(|e| StoreError::from_sdk("Scan", e))?;
                for item in page.items.unwrap_or_default() {
                    items.push(to_json(item)?);
                }
                start = page.last_evaluated_key;
                if start.is_none() {
                    return Ok(items);
                }
            }
        })
        .await?
    }
}

fn to_json(item: shared::db::Item) -> Result<Value, LocalError> {
    shared::serde_dynamo::from_item(shared::db::with_sorted_sets(item))
        .map_err(|e| LocalError::Store(StoreError(format!("item is not JSON: {e}"))))
}

/// A client for the local server: static test credentials, the local region.
fn client(endpoint: &str) -> Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new(
            ACCESS_KEY, ACCESS_KEY, None, None, "local",
        ))
        .endpoint_url(endpoint)
        .build();
    Client::from_conf(config)
}

/// `(sku, available)` from a seed file (`[{"sku","available","reserved"}]`).
pub fn read_seed(path: &Path) -> Result<Vec<(String, u64)>, LocalError> {
    let shown = path.display().to_string();
    let read_error = |message: String| LocalError::Read {
        path: shown.clone(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| read_error(e.to_string()))?;
    let items: Vec<Value> = serde_json::from_str(&text).map_err(|e| read_error(e.to_string()))?;
    items
        .iter()
        .map(|item| {
            let sku = item.get("sku").and_then(Value::as_str);
            let available = item.get("available").and_then(Value::as_u64);
            match (sku, available) {
                (Some(sku), Some(available)) => Ok((sku.to_owned(), available)),
                _ => Err(read_error(format!(
                    "every item needs a string sku and a whole available count: {item}"
                ))),
            }
        })
        .collect()
}

/// Creates the template's tables as `<logical id>-<unique suffix>` and returns the names the
/// functions' environment variables would hold.
async fn create_tables(
    client: &Client,
    tables: &[TableSpec],
    fixed: Option<TableNames>,
) -> Result<TableNames, LocalError> {
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let mut names = TableNames::default();
    for table in tables {
        let given = fixed.as_ref().and_then(|f| match table.env_var.as_deref() {
            Some(var) if var == TableKind::Orders.env_var() => Some(f.orders.clone()),
            Some(var) if var == TableKind::Inventory.env_var() => Some(f.inventory.clone()),
            Some(var) if var == TableKind::Payments.env_var() => Some(f.payments.clone()),
            _ => None,
        });
        let name = match given {
            Some(name) => {
                if !table_exists(client, &name).await? {
                    create_table(client, &name, table).await?;
                }
                name
            }
            None => {
                let name = format!("{}-{suffix}", table.logical_id);
                create_table(client, &name, table).await?;
                name
            }
        };
        match table.env_var.as_deref() {
            Some(var) if var == TableKind::Orders.env_var() => names.orders = name,
            Some(var) if var == TableKind::Inventory.env_var() => names.inventory = name,
            Some(var) if var == TableKind::Payments.env_var() => names.payments = name,
            _ => {}
        }
    }
    for (kind, name) in [
        (TableKind::Orders, &names.orders),
        (TableKind::Inventory, &names.inventory),
        (TableKind::Payments, &names.payments),
    ] {
        if name.is_empty() {
            return Err(LocalError::DynamoDb(format!(
                "the template names no table in {} (Globals.Function.Environment)",
                kind.env_var()
            )));
        }
    }
    Ok(names)
}

async fn table_exists(client: &Client, name: &str) -> Result<bool, LocalError> {
    match client.describe_table().table_name(name).send().await {
        Ok(_) => Ok(true),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception()) =>
        {
            Ok(false)
        }
        Err(e) => Err(StoreError::from_sdk("DescribeTable", e).into()),
    }
}

async fn create_table(client: &Client, name: &str, spec: &TableSpec) -> Result<(), LocalError> {
    let build = |e: aws_sdk_dynamodb::error::BuildError| LocalError::DynamoDb(e.to_string());
    let mut request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest);
    for (attribute, kind) in &spec.attributes {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(attribute)
                .attribute_type(ScalarAttributeType::from(kind.as_str()))
                .build()
                .map_err(build)?,
        );
    }
    for (attribute, kind) in &spec.key_schema {
        request = request.key_schema(
            KeySchemaElement::builder()
                .attribute_name(attribute)
                .key_type(KeyType::from(kind.as_str()))
                .build()
                .map_err(build)?,
        );
    }
    request
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("CreateTable", e))?;
    client
        .wait_until_table_exists()
        .table_name(name)
        .wait(std::time::Duration::from_secs(60))
        .await
        .map_err(|e| LocalError::DynamoDb(format!("waiting for table {name}: {e}")))?;
    Ok(())
}
