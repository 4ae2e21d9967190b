//! Configuration from the environment: table names, AWS clients, tracing.

use aws_config::BehaviorVersion;

/// The three tables of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    Orders,
    Inventory,
    Payments,
}

impl TableKind {
    pub fn env_var(self) -> &'static str {
        match self {
            TableKind::Orders => "ORDERS_TABLE",
            TableKind::Inventory => "INVENTORY_TABLE",
            TableKind::Payments => "PAYMENTS_TABLE",
        }
    }
}

/// Table names. A function only needs (and the template only grants) some of them; the
/// others stay empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableNames {
    pub orders: String,
    pub inventory: String,
    pub payments: String,
}

#[derive(Debug, thiserror::Error)]
#[error("environment variable {0} is not set")]
pub struct MissingEnv(pub &'static str);

impl TableNames {
    /// Reads the names of the `needed` tables from their environment variables.
    pub fn from_env(needed: &[TableKind]) -> Result<Self, MissingEnv> {
        let mut names = TableNames::default();
        for &kind in needed {
            let value = std::env::var(kind.env_var())
                .ok()
                .filter(|v| !v.is_empty())
                .ok_or(MissingEnv(kind.env_var()))?;
            match kind {
                TableKind::Orders => names.orders = value,
                TableKind::Inventory => names.inventory = value,
                TableKind::Payments => names.payments = value,
            }
        }
        Ok(names)
    }
}

/// What every handler gets: the DynamoDB client (built once) and the table names.
#[derive(Debug, Clone)]
pub struct Deps {
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub tables: TableNames,
}

impl Deps {
    /// Builds the client from the environment (honours `AWS_ENDPOINT_URL_DYNAMODB`).
    pub async fn from_env(needed: &[TableKind]) -> Result<Self, MissingEnv> {
        let config = load_aws_config().await;
        Self::from_config(&config, needed)
    }

    /// Like [`Deps::from_env`], sharing an SDK configuration with other clients.
    pub fn from_config(
        config: &aws_config::SdkConfig,
        needed: &[TableKind],
    ) -> Result<Self, MissingEnv> {
        Ok(Deps {
            dynamodb: aws_sdk_dynamodb::Client::new(config),
            tables: TableNames::from_env(needed)?,
        })
    }
}

/// The SDK configuration from the environment (region, credentials, endpoint overrides).
pub async fn load_aws_config() -> aws_config::SdkConfig {
    aws_config::load_defaults(BehaviorVersion::latest()).await
}

/// JSON logs to stdout (CloudWatch), level from `RUST_LOG` (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // A second initialisation (tests, in-process hosts) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_target(false)
        .with_current_span(false)
        .without_time()
        .try_init();
}
