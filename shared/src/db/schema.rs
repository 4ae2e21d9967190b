//! Table definitions (the contract's key schemas, on-demand), for tests and local tooling.

use crate::config::TableNames;
use crate::error::StoreError;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use std::time::Duration;

/// Creates the orders (`orderId`), inventory (`sku`) and payments (`orderId`) tables.
pub async fn create_tables(client: &Client, tables: &TableNames) -> Result<(), StoreError> {
    for (name, key) in [
        (&tables.orders, "orderId"),
        (&tables.inventory, "sku"),
        (&tables.payments, "orderId"),
    ] {
        create_table(client, name, key).await?;
    }
    Ok(())
}

async fn create_table(client: &Client, name: &str, key: &str) -> Result<(), StoreError> {
    let build = |e: aws_sdk_dynamodb::error::BuildError| StoreError(e.to_string());
    client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(key)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(build)?,
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name(key)
                .key_type(KeyType::Hash)
                .build()
                .map_err(build)?,
        )
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("CreateTable", e))?;
    client
        .wait_until_table_exists()
        .table_name(name)
        .wait(Duration::from_secs(120))
        .await
        .map_err(|e| StoreError(format!("waiting for table {name}: {e}")))?;
    Ok(())
}
