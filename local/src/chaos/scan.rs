//! Full, consistent scans of the three tables, as JSON.

use aws_sdk_dynamodb::Client;
use serde_json::Value;
use shared::StoreError;

use super::Tables;
use crate::env::{LocalEnv, LocalError, on_real_time};

/// Every item of the orders, payments and inventory tables.
pub async fn scan_tables(env: &LocalEnv) -> Result<Tables, LocalError> {
    let tables = env.deps.tables.clone();
    let client = env.deps.dynamodb.clone();
    on_real_time(async move {
        Ok(Tables {
            orders: scan(&client, &tables.orders).await?,
            payments: scan(&client, &tables.payments).await?,
            inventory: scan(&client, &tables.inventory).await?,
        })
    })
    .await?
}

async fn scan(client: &Client, table: &str) -> Result<Vec<Value>, LocalError> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let page = client
            .scan()
            .table_name(table)
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| StoreError::from_sdk("Scan", e))?;
        for item in page.items.unwrap_or_default() {
            let item: Value = shared::serde_dynamo::from_item(item).map_err(|e| {
                LocalError::Store(StoreError(format!("{table}: item is not JSON: {e}")))
            })?;
            items.push(item);
        }
        start = page.last_evaluated_key;
        if start.is_none() {
            return Ok(items);
        }
    }
}
