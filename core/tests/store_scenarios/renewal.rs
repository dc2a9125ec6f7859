//! What renewal needs from a store, on any backend: the unit's identity is kept with its sealed
//! credentials (and survives a plain credentials update), a renewal replaces the CSID and key in
//! one write, and a database written before the identity was kept upgrades in place.

use crate::engine_support::*;
use crate::store_support::Db;
use qayd::engine::{Engine, EventKind};
use qayd::onboarding::EgsCredentials;
use qayd::secrets::MasterKey;
use qayd::store::SealedCredentials;
use qayd_gateway::Gateway;

/// Onboards a unit against the gateway the whole way (key, CSR, compliance CSID, samples,
/// production CSID), as `qayd::embed::onboard` does.
pub(crate) async fn onboarded(gateway: &Gateway, serial: &str) -> EgsCredentials {
    let client = qayd::api::Client::new(environment(gateway)).unwrap();
    qayd::onboarding::onboard(&client, &environment(gateway), &csr_config(serial), OTP, &mut |_| {})
        .await
        .unwrap()
}

/// An engine on a new store of `db`, connected to the gateway, with no unit yet.
pub(crate) fn connected(db: &Db, gateway: &Gateway, key: &MasterKey) -> Engine {
    Engine::new(db.open())
        .with_config(fast_config())
        .with_master_key(key.clone())
        .connect(environment(gateway))
        .unwrap()
}

pub(crate) async fn the_identity_is_kept_with_the_credentials_and_renewal_replaces_them(db: &Db) {
    let gateway = gateway().await;
    let key = MasterKey::generate().unwrap();
    let engine = connected(db, &gateway, &key);
    let onboarded = onboarded(&gateway, "renew-store").await;
    engine.set_onboarded("pos-1", &onboarded).unwrap();
    let before = engine.store().credentials("pos-1").unwrap().unwrap();
    // Another connection (another process) reads the identity back.
    let reader = Engine::new(db.open());
    assert_eq!(reader.identity("pos-1").unwrap().as_ref(), Some(&onboarded.identity));
    // A plain credentials update (no identity given) keeps the stored identity.
    engine
        .set_credentials("pos-1", &onboarded.production_credentials(), &onboarded.private_key().unwrap())
        .unwrap();
    assert_eq!(reader.identity("pos-1").unwrap().as_ref(), Some(&onboarded.identity));

    let outcome = engine.renew("pos-1", OTP).await.unwrap();
    let after = db.open().credentials("pos-1").unwrap().unwrap();
    assert_ne!(after.binary_security_token, before.binary_security_token);
    assert_ne!(after.sealed_private_key, before.sealed_private_key, "the new key replaced the old");
    assert_ne!(after.sealed_secret, before.sealed_secret);
    assert_eq!((after.not_after, after.identity.as_deref()), (outcome.not_after, before.identity.as_deref()));
    // The renewed credentials open from a fresh engine with the same master key.
    let fresh = Engine::new(db.open()).with_master_key(key);
    let opened = fresh.unlock("pos-1").unwrap();
    assert_eq!(opened.credentials.binary_security_token(), after.binary_security_token);
    assert_eq!(opened.signer.certificate().serial_decimal(), outcome.certificate_serial);
    let events = fresh.events_since(0, 10).unwrap();
    assert_eq!(events.iter().map(|e| e.kind).collect::<Vec<_>>(), [EventKind::CertificateRenewed]);
}

/// A credentials row as the previous schema (without `identity`) held it.
fn legacy_row() -> SealedCredentials {
    SealedCredentials {
        environment: "\"simulation\"".into(),
        binary_security_token: "TUlJQ2xlZ2FjeQ==".into(),
        sealed_private_key: vec![1, 2, 3, 4],
        sealed_secret: vec![5, 6, 7],
        not_after: 1_900_000_000,
        identity: None,
    }
}

pub(crate) fn credentials_written_by_the_previous_schema_upgrade_in_place(db: &Db) {
    db.open().register_egs("pos-1").unwrap();
    // Back to the previous schema: no identity column (PostgreSQL: schema version 1), and a
    // unit stored by that version.
    let mut downgrade = "ALTER TABLE credentials DROP COLUMN identity;".to_owned();
    if db.is_postgres() {
        downgrade.push_str("UPDATE qayd_schema_version SET version = 1;");
    }
    downgrade.push_str(
        "INSERT INTO credentials (egs_id, environment, binary_security_token, sealed_private_key, \
         sealed_secret, not_after) VALUES ('pos-1', '\"simulation\"', 'TUlJQ2xlZ2FjeQ==', ",
    );
    downgrade.push_str(if db.is_postgres() {
        "'\\x01020304'::bytea, '\\x050607'::bytea, 1900000000);"
    } else {
        "X'01020304', X'050607', 1900000000);"
    });
    db.execute(&downgrade).unwrap();
    if db.is_postgres() {
        assert!(db.execute("SELECT identity FROM credentials").is_err(), "the old schema has no identity");
    }

    // Opening upgrades it; the unit's credentials read as they were, with no identity.
    let store = db.open();
    assert_eq!(store.credentials("pos-1").unwrap(), Some(legacy_row()));
    #[cfg(feature = "postgres")]
    if db.is_postgres() {
        let version = qayd::store::PostgresStore::open(db.location()).unwrap().schema_version().unwrap();
        assert_eq!(version, 3, "every migration since version 1 applied");
    }
    // The new column takes an identity; opening again changes nothing.
    let with_identity = SealedCredentials {
        identity: Some(serde_json::to_string(&csr_config("legacy")).unwrap()),
        ..legacy_row()
    };
    store.put_credentials("pos-1", &with_identity).unwrap();
    drop(store);
    let reopened = db.open();
    assert_eq!(reopened.credentials("pos-1").unwrap(), Some(with_identity));
    assert_eq!(Engine::new(reopened).identity("pos-1").unwrap(), Some(csr_config("legacy")));
}
