//! The gateway judges documents like the platform: business-rule errors reject with 400 and the
//! rule id as `code`; warnings alone accept with 202; a cleared invoice comes back stamped again
//! by the platform (same UUID and invoice hash, new signing time, signature and QR).

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use common::*;
use qayd::api::{InvoiceSubmission, Outcome, SubmissionResponse, ValidationMessage};

/// `cbc:ProfileID` other than `reporting:1.0`: BR-KSA-EN16931-01, an error.
const PROFILE_ERROR: (&str, &str) =
    ("<cbc:ProfileID>reporting:1.0</cbc:ProfileID>", "<cbc:ProfileID>reporting:2.0</cbc:ProfileID>");
/// The seller's building number with 3 digits: BR-KSA-37, a warning.
const BUILDING_WARNING: (&str, &str) =
    ("<cbc:BuildingNumber>2322</cbc:BuildingNumber>", "<cbc:BuildingNumber>232</cbc:BuildingNumber>");

fn message<'a>(list: &'a [ValidationMessage], code: &str) -> &'a ValidationMessage {
    list.iter().find(|m| m.code.as_deref() == Some(code)).unwrap_or_else(|| panic!("no {code} in {list:?}"))
}

fn last_status(gateway: &qayd_gateway::Gateway) -> Option<u16> {
    gateway.received().last().and_then(|r| r.status)
}

#[tokio::test]
async fn rule_errors_are_rejected_with_the_rule_id() {
    let gateway = gateway().await;
    let client = client(&gateway);
    let (_, production, signer) = production_egs(&client).await;
    let mut chain = Chain::default();
    for simplified in [false, true] {
        let stamped = document_edited(simplified, 388, &signer, &mut chain, &[PROFILE_ERROR]);
        let submission = InvoiceSubmission::from(&stamped);
        let outcome = if simplified {
            client.reporting(&production, &submission).await.unwrap()
        } else {
            client.clearance(&production, &submission).await.unwrap()
        };
        let Outcome::Rejected { status: 400, messages, response: Some(response) } = outcome else {
            panic!("simplified={simplified}: {outcome:?}")
        };
        let entry = message(&messages, "BR-KSA-EN16931-01");
        assert_eq!(entry.kind.as_deref(), Some("ERROR"));
        assert_eq!(entry.category.as_deref(), Some("KSA"));
        assert_eq!(entry.status.as_deref(), Some("ERROR"));
        assert!(entry.message.as_deref().unwrap().contains("reporting:1.0"), "{entry:?}");
        // Only the rule broke: the stamp and the chain are fine.
        assert_eq!(
            codes(&Outcome::<()>::Rejected { status: 400, messages, response: None }),
            ["BR-KSA-EN16931-01"]
        );
        if simplified {
            assert_eq!(response.reporting_status.as_deref(), Some("NOT_REPORTED"));
        } else {
            assert_eq!(response.clearance_status.as_deref(), Some("NOT_CLEARED"));
            assert!(response.cleared_invoice.is_none());
        }
        assert_eq!(response.status(), Some("ERROR"));
    }
    assert!(gateway.acceptances().is_empty());
}

#[tokio::test]
async fn warnings_alone_are_accepted_with_202() {
    let gateway = gateway().await;
    let client = client(&gateway);
    let (_, production, signer) = production_egs(&client).await;
    let mut chain = Chain::default();
    for simplified in [false, true] {
        let stamped = document_edited(simplified, 388, &signer, &mut chain, &[BUILDING_WARNING]);
        let submission = InvoiceSubmission::from(&stamped);
        let outcome = if simplified {
            client.reporting(&production, &submission).await.unwrap()
        } else {
            client.clearance(&production, &submission).await.unwrap()
        };
        assert_eq!(last_status(&gateway), Some(202), "simplified={simplified}");
        let Outcome::AcceptedWithWarnings(response) = outcome else { panic!("{outcome:?}") };
        let results = response.validation_results.as_ref().unwrap();
        let warning = message(&results.warning_messages, "BR-KSA-37");
        assert_eq!(warning.kind.as_deref(), Some("WARNING"));
        assert_eq!(warning.status.as_deref(), Some("WARNING"));
        assert_eq!(warning.category.as_deref(), Some("KSA"));
        assert!(results.error_messages.is_empty());
        assert_eq!(response.status(), Some("WARNING"));
        if simplified {
            assert_eq!(response.reporting_status.as_deref(), Some("REPORTED"));
        } else {
            assert_eq!(response.clearance_status.as_deref(), Some("CLEARED"));
            assert!(response.cleared_invoice_xml.is_some());
        }
    }
}

#[tokio::test]
async fn the_sdk_samples_pass_without_a_message() {
    // No BR-KSA-98 unless warn_late_reporting: the samples are years old.
    let gateway = gateway().await;
    let client = client(&gateway);
    let (_, production, signer) = production_egs(&client).await;
    let mut chain = Chain::default();
    let stamped = document(true, 381, &signer, &mut chain);
    let outcome = client.reporting(&production, &InvoiceSubmission::from(&stamped)).await.unwrap();
    let Outcome::Accepted(response) = outcome else { panic!("{outcome:?}") };
    let results = response.validation_results.unwrap();
    assert!(results.warning_messages.is_empty() && results.error_messages.is_empty());
    assert_eq!(results.info_messages[0].code.as_deref(), Some("XSD_ZATCA_VALID"));
}

fn element<'a>(xml: &'a str, tag: &str) -> &'a str {
    let start = xml.find(&format!("<{tag}")).unwrap_or_else(|| panic!("no {tag}"));
    let start = start + xml[start..].find('>').unwrap() + 1;
    let end = start + xml[start..].find(&format!("</{tag}>")).unwrap();
    &xml[start..end]
}

#[tokio::test]
async fn cleared_invoices_are_stamped_again_by_the_platform() {
    let gateway = gateway().await;
    let client = client(&gateway);
    let (_, production, signer) = production_egs(&client).await;
    let mut chain = Chain::default();
    let stamped = document(false, 388, &signer, &mut chain);
    let submission = InvoiceSubmission::from(&stamped);
    let outcome = client.clearance(&production, &submission).await.unwrap();
    let Outcome::Accepted(response) = outcome else { panic!("{outcome:?}") };
    let cleared = response.cleared_invoice_xml.clone().unwrap();
    assert_eq!(B64.decode(response.cleared_invoice.as_deref().unwrap()).unwrap(), cleared);
    assert_ne!(cleared, stamped.xml, "the platform stamps the cleared invoice");

    // What ZATCA's clearance changes: signing time, signature, SignedProperties digest, QR.
    let (sent, back) =
        (String::from_utf8(stamped.xml.clone()).unwrap(), String::from_utf8(cleared.clone()).unwrap());
    for tag in ["ds:SignatureValue", "xades:SigningTime"] {
        assert_ne!(element(&sent, tag), element(&back, tag), "{tag}");
    }
    assert_ne!(qayd::qr_of_document(&stamped.xml).unwrap(), qayd::qr_of_document(&cleared).unwrap());
    // What it keeps: the invoice part (so its hash), the UUID, ICV and PIH.
    let returned = InvoiceSubmission::from_signed_xml(&cleared).unwrap();
    assert_eq!(returned.uuid, stamped.uuid);
    assert_eq!(returned.invoice_hash, stamped.invoice_hash);
    assert_eq!(qayd::invoice_hash(&cleared).unwrap(), stamped.invoice_hash);
    // Outside the stamp and the QR, the bytes are the ones sent.
    assert_eq!(
        sent[..sent.find("<ext:UBLExtensions>").unwrap()],
        back[..back.find("<ext:UBLExtensions>").unwrap()]
    );
    let tail = |xml: &str| xml[xml.find("<cac:Signature>").unwrap()..].to_owned();
    assert_eq!(tail(&sent), tail(&back));
    // The platform's stamp checks out against its own certificate (the gateway CA).
    let report = qayd::verify(&cleared).unwrap();
    assert!(report.failures().next().is_none(), "{:?}", report.failures().collect::<Vec<_>>());
    assert!(back.contains(
        &qayd::Certificate::from_bytes(gateway.ca_certificate_pem().as_bytes()).unwrap().base64().to_owned()
    ));

    // The duplicate answer (208) hands back the same cleared invoice.
    let again = client.clearance(&production, &submission).await.unwrap();
    let Outcome::Duplicate {
        status: 208,
        response: Some(SubmissionResponse { cleared_invoice_xml: Some(xml), .. }),
    } = again
    else {
        panic!("{again:?}")
    };
    assert_eq!(xml, cleared);
}
