//! Shared by the engine tests: a local gateway, EGS units onboarded against it (production CSID
//! and key, stored sealed in an engine), and invoices from the model fixtures for that unit.
#![allow(dead_code)]

use qayd::api::{Client, Credentials, Outcome};
use qayd::engine::{Engine, EngineConfig, RetryPolicy};
use qayd::model::Invoice;
use qayd::secrets::MasterKey;
use qayd::store::{SqliteStore, Store};
use qayd::{CsrConfig, Environment, PrivateKey};
use qayd_gateway::{Gateway, GatewayConfig};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub(crate) const OTP: &str = "123456";
pub(crate) const VAT: &str = "399999999900003";

pub(crate) fn repo(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

/// A gateway that does not insist on the compliance steps (onboarding = two calls).
pub(crate) async fn gateway() -> Gateway {
    Gateway::start(GatewayConfig { require_compliance_steps: false, ..Default::default() }).await.unwrap()
}

pub(crate) fn environment(gateway: &Gateway) -> Environment {
    Environment::Custom(gateway.base_url())
}

/// The SDK's CSR configuration with its own EGS serial (one chain per serial on the gateway).
pub(crate) fn csr_config(serial: &str) -> CsrConfig {
    let text =
        std::fs::read_to_string(repo("tests/vectors/sdk-R3.4.8/Data/Input/csr-config-example-EN.properties"))
            .unwrap();
    let mut config = CsrConfig::from_properties(&text).unwrap();
    config.serial_number = format!("1-TST|2-TST|3-{serial}");
    config
}

/// Key → CSR → compliance CSID → production CSID.
pub(crate) async fn onboard(gateway: &Gateway, serial: &str) -> (Credentials, PrivateKey) {
    let client = Client::new(environment(gateway)).unwrap();
    let key = qayd::generate_private_key().unwrap();
    let csr = qayd::build_csr(&csr_config(serial), &key, client.environment()).unwrap();
    let Outcome::Accepted(response) = client.compliance_csid(&csr.to_api_base64(), OTP).await.unwrap() else {
        panic!("compliance CSID")
    };
    let compliance = Credentials::from_csid(client.environment().clone(), &response).unwrap();
    let id = compliance.request_id().unwrap().to_owned();
    let Outcome::Accepted(response) = client.production_csid(&compliance, &id).await.unwrap() else {
        panic!("production CSID")
    };
    (Credentials::from_csid(client.environment().clone(), &response).unwrap(), key)
}

/// Fast retries for tests: 1 s base, 2 s cap.
pub(crate) fn fast_config() -> EngineConfig {
    EngineConfig {
        retry: RetryPolicy {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(2),
            max_attempts: 8,
            jitter: true,
        },
        clear_wait: Duration::from_secs(10),
        client: qayd::api::ClientConfig { timeout: Duration::from_secs(3), ..Default::default() },
        poll_interval: Duration::from_millis(200),
        ..Default::default()
    }
}

/// An engine on `store`, connected to the gateway, with `units` onboarded and stored.
pub(crate) async fn engine_with(
    gateway: &Gateway,
    store: Arc<dyn Store>,
    key: &MasterKey,
    config: EngineConfig,
    units: &[&str],
) -> Engine {
    let engine = Engine::new(store)
        .with_config(config)
        .with_master_key(key.clone())
        .connect(environment(gateway))
        .unwrap();
    for unit in units {
        let (credentials, private_key) = onboard(gateway, unit).await;
        engine.set_credentials(unit, &credentials, &private_key).unwrap();
    }
    engine
}

pub(crate) async fn engine(gateway: &Gateway, units: &[&str]) -> Engine {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory().unwrap());
    engine_with(gateway, store, &MasterKey::generate().unwrap(), fast_config(), units).await
}

fn fixture(name: &str) -> Invoice {
    let json = std::fs::read_to_string(repo(&format!("core/tests/fixtures/models/{name}.json"))).unwrap();
    let mut invoice = Invoice::from_json(&json).unwrap();
    invoice.uuid = uuid::Uuid::new_v4();
    invoice.seller.vat_number = Some(VAT.into());
    invoice
}

/// A B2C document (reported).
pub(crate) fn simplified() -> Invoice {
    fixture("simplified_invoice")
}

/// A B2B document (cleared).
pub(crate) fn standard() -> Invoice {
    fixture("standard_invoice")
}

/// The bodies the gateway received for a document UUID, in order.
pub(crate) fn bodies_for(gateway: &Gateway, uuid: &str) -> Vec<Vec<u8>> {
    gateway
        .received()
        .into_iter()
        .filter(|r| r.path.contains("/invoices/"))
        .filter(|r| {
            serde_json::from_slice::<serde_json::Value>(&r.body)
                .ok()
                .and_then(|v| v.get("uuid").and_then(|u| u.as_str()).map(|u| u == uuid))
                .unwrap_or(false)
        })
        .map(|r| r.body)
        .collect()
}
