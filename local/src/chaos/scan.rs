//! Full, consistent scans of the three tables, as JSON.

use super::Tables;
use crate::env::{LocalEnv, LocalError};

/// Every item of the orders, payments and inventory tables.
pub async fn scan_tables(env: &LocalEnv) -> Result<Tables, LocalError> {
    let tables = &env.deps.tables;
    Ok(Tables {
        orders: env.scan_table(&tables.orders).await?,
        payments: env.scan_table(&tables.payments).await?,
        inventory: env.scan_table(&tables.inventory).await?,
    })
}
