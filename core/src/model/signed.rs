//! Writing and stamping in one pass. The writer's output is canonical already, so the stamp can
//! hash it as written; the QR values come straight from the model and its totals.

use super::dec::round2;
use super::{Invoice, InvoiceKind};
use crate::crypto::Signer;
use crate::error::{Error, Result};
use crate::stamp::{self, QrFacts, StampOptions, StampedInvoice};
use crate::validate::{RuleInfo, rule};

impl Invoice {
    /// Sets the issue date and time (BT-2, KSA-25) to the given instant in Riyadh time, the one
    /// clock policy of [`crate::clock`].
    pub fn set_issued_at(&mut self, unix: i64) {
        let (date, time) = crate::clock::riyadh_date_time(unix);
        self.issue_date = date;
        self.issue_time = time;
    }

    /// BR-KSA-04: the issue date may not be later than today in Riyadh.
    pub fn check_not_in_future(&self, now_unix: i64) -> Result<()> {
        let (today, _) = crate::clock::riyadh_date_time(now_unix);
        if self.issue_date.trim() > today.as_str() {
            return Err(Error::model(
                rule::BR_KSA_04,
                format!(
                    "the issue date {} is after today in Riyadh ({today}); dates are Saudi local time (UTC+3)",
                    self.issue_date
                ),
            ));
        }
        Ok(())
    }

    /// Validates, computes the totals, writes and stamps the document. The bytes are the same as
    /// `qayd::stamp(&invoice.to_xml()?, …)` gives (the tests hold both paths to that), without
    /// parsing the document back.
    pub fn stamp(&self, signer: &Signer, options: &StampOptions) -> Result<StampedInvoice> {
        self.stamp_with(signer, options, true)
    }

    /// [`Invoice::stamp`] without refusing on rule errors: for the engine, which judges the
    /// stamped document under its own validation policy.
    pub(crate) fn stamp_unjudged(&self, signer: &Signer, options: &StampOptions) -> Result<StampedInvoice> {
        self.stamp_with(signer, options, false)
    }

    fn stamp_with(&self, signer: &Signer, options: &StampOptions, judge: bool) -> Result<StampedInvoice> {
        let totals = self.totals()?;
        let mut digest = None;
        let xml = if judge {
            super::write::write_judged(self, &totals, |document| {
                // The hash needs only the written bytes: a large document is hashed on the
                // second thread of the rule book, after its schema walk.
                let text = document.input_text();
                let (verdict, hash) =
                    super::validate::refuse_rule_errors_and(document, || stamp::written_digest(text).ok());
                digest = hash.flatten();
                verdict
            })?
        } else {
            super::write::write(self, &totals)?
        };
        let missing = |rule: &'static RuleInfo, what: &str| {
            Error::model(rule, format!("{what} is required (it goes into the QR code)"))
        };
        let facts = QrFacts {
            seller_name: self
                .seller
                .registration_name
                .as_deref()
                .map(str::trim)
                .ok_or_else(|| missing(rule::BR_06, "the seller's registration name (BT-27)"))?,
            vat_number: self
                .seller
                .vat_number
                .as_deref()
                .map(str::trim)
                .ok_or_else(|| missing(rule::BR_KSA_39, "the seller's VAT number (BT-31)"))?,
            timestamp: format!("{}T{}", self.issue_date.trim(), self.issue_time.trim()),
            total: round2(totals.payable_amount).to_string(),
            vat_total: round2(totals.vat_total_sar).to_string(),
            simplified: self.kind == InvoiceKind::Simplified,
        };
        let digest = match digest {
            Some(digest) => digest,
            None => stamp::written_digest(&xml)?,
        };
        stamp::stamp_written(&xml, digest, &self.uuid.hyphenated().to_string(), &facts, signer, options)
    }
}
