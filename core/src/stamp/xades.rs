//! The XAdES block in the official SDK's exact byte layout (SPEC §b), and the bytes its
//! SignedProperties digest is taken over. One writer serves both, so they cannot drift apart.

use crate::crypto::{Certificate, hex};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use sha2::{Digest, Sha256};

/// Writes `xades:SignedProperties`. `for_digest` gives the serialisation the digest is computed
/// over: `xmlns:xades` on the element itself and `xmlns:ds` repeated on every `ds:` element
/// (exclusive C14N with the empty `ds:DigestMethod` kept self-closing), first line unindented.
fn signed_properties(out: &mut String, signing_time: &str, certificate: &Certificate, for_digest: bool) {
    let ds = if for_digest { " xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"" } else { "" };
    if for_digest {
        out.push_str("<xades:SignedProperties xmlns:xades=\"http://uri.etsi.org/01903/v1.3.2#\" Id=\"xadesSignedProperties\">");
    } else {
        out.push_str("<xades:SignedProperties Id=\"xadesSignedProperties\">");
    }
    out.push_str("\n                                    <xades:SignedSignatureProperties>\n                                        <xades:SigningTime>");
    out.push_str(signing_time);
    out.push_str("</xades:SigningTime>\n                                        <xades:SigningCertificate>\n                                            <xades:Cert>\n                                                <xades:CertDigest>\n                                                    <ds:DigestMethod");
    out.push_str(ds);
    out.push_str(" Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>\n                                                    <ds:DigestValue");
    out.push_str(ds);
    out.push('>');
    out.push_str(certificate.digest());
    out.push_str("</ds:DigestValue>\n                                                </xades:CertDigest>\n                                                <xades:IssuerSerial>\n                                                    <ds:X509IssuerName");
    out.push_str(ds);
    out.push('>');
    escape_text(certificate.issuer_name(), out);
    out.push_str(
        "</ds:X509IssuerName>\n                                                    <ds:X509SerialNumber",
    );
    out.push_str(ds);
    out.push('>');
    out.push_str(certificate.serial_decimal());
    out.push_str("</ds:X509SerialNumber>\n                                                </xades:IssuerSerial>\n                                            </xades:Cert>\n                                        </xades:SigningCertificate>\n                                    </xades:SignedSignatureProperties>\n                                </xades:SignedProperties>");
}

/// `base64(hex(SHA-256(S)))` for the SignedProperties we emit.
pub(crate) fn signed_properties_digest(signing_time: &str, certificate: &Certificate) -> String {
    let mut s = String::with_capacity(2048);
    signed_properties(&mut s, signing_time, certificate, true);
    B64.encode(hex(&Sha256::digest(s.as_bytes())))
}

/// The whole `ext:UBLExtensions` element.
pub(crate) fn ubl_extensions(
    invoice_hash: &str,
    signature: &str,
    signing_time: &str,
    certificate: &Certificate,
) -> String {
    let mut out = String::with_capacity(6144);
    out.push_str(concat!(
        "<ext:UBLExtensions>\n",
        "    <ext:UBLExtension>\n",
        "        <ext:ExtensionURI>urn:oasis:names:specification:ubl:dsig:enveloped:xades</ext:ExtensionURI>\n",
        "        <ext:ExtensionContent>\n",
        "            <sig:UBLDocumentSignatures xmlns:sig=\"urn:oasis:names:specification:ubl:schema:xsd:CommonSignatureComponents-2\" xmlns:sac=\"urn:oasis:names:specification:ubl:schema:xsd:SignatureAggregateComponents-2\" xmlns:sbc=\"urn:oasis:names:specification:ubl:schema:xsd:SignatureBasicComponents-2\">\n",
        "                <sac:SignatureInformation> \n",
        "                    <cbc:ID>urn:oasis:names:specification:ubl:signature:1</cbc:ID>\n",
        "                    <sbc:ReferencedSignatureID>urn:oasis:names:specification:ubl:signature:Invoice</sbc:ReferencedSignatureID>\n",
        "                    <ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" Id=\"signature\">\n",
        "                        <ds:SignedInfo>\n",
        "                            <ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2006/12/xml-c14n11\"/>\n",
        "                            <ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256\"/>\n",
        "                            <ds:Reference Id=\"invoiceSignedData\" URI=\"\">\n",
        "                                <ds:Transforms>\n",
        "                                    <ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\">\n",
        "                                        <ds:XPath>not(//ancestor-or-self::ext:UBLExtensions)</ds:XPath>\n",
        "                                    </ds:Transform>\n",
        "                                    <ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\">\n",
        "                                        <ds:XPath>not(//ancestor-or-self::cac:Signature)</ds:XPath>\n",
        "                                    </ds:Transform>\n",
        "                                    <ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\">\n",
        "                                        <ds:XPath>not(//ancestor-or-self::cac:AdditionalDocumentReference[cbc:ID='QR'])</ds:XPath>\n",
        "                                    </ds:Transform>\n",
        "                                    <ds:Transform Algorithm=\"http://www.w3.org/2006/12/xml-c14n11\"/>\n",
        "                                </ds:Transforms>\n",
        "                                <ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>\n",
        "                                <ds:DigestValue>"
    ));
    out.push_str(invoice_hash);
    out.push_str(concat!(
        "</ds:DigestValue>\n",
        "                            </ds:Reference>\n",
        "                            <ds:Reference Type=\"http://www.w3.org/2000/09/xmldsig#SignatureProperties\" URI=\"#xadesSignedProperties\">\n",
        "                                <ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>\n",
        "                                <ds:DigestValue>"
    ));
    out.push_str(&signed_properties_digest(signing_time, certificate));
    out.push_str(concat!(
        "</ds:DigestValue>\n",
        "                            </ds:Reference>\n",
        "                        </ds:SignedInfo>\n",
        "                        <ds:SignatureValue>"
    ));
    out.push_str(signature);
    out.push_str(concat!(
        "</ds:SignatureValue>\n",
        "                        <ds:KeyInfo>\n",
        "                            <ds:X509Data>\n",
        "                                <ds:X509Certificate>"
    ));
    out.push_str(certificate.base64());
    out.push_str(concat!(
        "</ds:X509Certificate>\n",
        "                            </ds:X509Data>\n",
        "                        </ds:KeyInfo>\n",
        "                        <ds:Object>\n",
        "                            <xades:QualifyingProperties xmlns:xades=\"http://uri.etsi.org/01903/v1.3.2#\" Target=\"signature\">\n",
        "                                "
    ));
    signed_properties(&mut out, signing_time, certificate, false);
    out.push_str(concat!(
        "\n",
        "                            </xades:QualifyingProperties>\n",
        "                        </ds:Object>\n",
        "                    </ds:Signature>\n",
        "                </sac:SignatureInformation>\n",
        "            </sig:UBLDocumentSignatures>\n",
        "        </ext:ExtensionContent>\n",
        "    </ext:UBLExtension>\n",
        "</ext:UBLExtensions>"
    ));
    out
}

/// The QR `cac:AdditionalDocumentReference`, SDK layout.
pub(crate) fn qr_reference(qr: &str) -> String {
    format!(
        "<cac:AdditionalDocumentReference>\n        <cbc:ID>QR</cbc:ID>\n        <cac:Attachment>\n            <cbc:EmbeddedDocumentBinaryObject mimeCode=\"text/plain\">{qr}</cbc:EmbeddedDocumentBinaryObject>\n        </cac:Attachment>\n</cac:AdditionalDocumentReference>"
    )
}

/// The `cac:Signature` element, SDK layout.
pub(crate) const CAC_SIGNATURE: &str = "<cac:Signature>\n      <cbc:ID>urn:oasis:names:specification:ubl:signature:Invoice</cbc:ID>\n      <cbc:SignatureMethod>urn:oasis:names:specification:ubl:dsig:enveloped:xades</cbc:SignatureMethod>\n</cac:Signature>";

/// XML text escaping (C14N form).
pub(crate) fn escape_text(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}
