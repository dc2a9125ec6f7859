//! The EGS engine: issues documents through a [`Store`] so that every stamped document takes the
//! next counter value and chains to its predecessor, exactly once, whatever fails.

use crate::clock::{Clock, SystemClock};
use crate::crypto::Signer;
use crate::error::Result;
use crate::model::Invoice;
use crate::stamp::StampOptions;
use crate::store::{NewDocument, Store, StoredDocument};
use std::sync::Arc;

/// Issues and tracks documents for any number of EGS units on one store.
pub struct Engine {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl Engine {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self::with_clock(store, Arc::new(SystemClock))
    }

    /// An engine on an injected clock (tests, replays).
    pub fn with_clock(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Engine { store, clock }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Creates the EGS unit's chain if it is new.
    pub fn register_egs(&self, egs_id: &str) -> Result<()> {
        self.store.register_egs(egs_id)
    }

    /// Issues `invoice` for `egs_id`: takes the next ICV and the PIH, writes, stamps and stores
    /// the document in one transaction. The invoice's own `icv` and `pih` are replaced.
    pub fn issue(
        &self,
        egs_id: &str,
        signer: &Signer,
        invoice: &Invoice,
        options: &StampOptions,
    ) -> Result<StoredDocument> {
        let now = self.clock.now_unix();
        invoice.check_not_in_future(now)?;
        self.store.issue(egs_id, now, &mut |icv, pih| {
            let mut invoice = invoice.clone();
            invoice.icv = icv;
            invoice.pih = pih.to_owned();
            let stamped = invoice.stamp(signer, options)?;
            Ok(NewDocument {
                uuid: stamped.uuid,
                invoice_hash: stamped.invoice_hash,
                simplified: invoice.kind == crate::model::InvoiceKind::Simplified,
                xml: stamped.xml,
            })
        })
    }
}
