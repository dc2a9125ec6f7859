//! CSR generation: SDK config files, the exact ASN.1 of ZATCA's example CSR, self-signature,
//! round trip, validation messages.

use qayd::csr::{Environment, OID_CERTIFICATE_TEMPLATE_NAME, parse_csr};
use qayd::{CsrConfig, Error, build_csr, generate_private_key};
use std::path::{Path, PathBuf};
use std::process::Command;

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn sdk_configs() -> Vec<(String, String)> {
    let dir = vectors().join("sdk-R3.4.8/Data/Input");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "properties"))
        .map(|p| {
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    out.sort();
    assert_eq!(out.len(), 5, "the SDK ships four examples and a template");
    out
}

fn example_config() -> CsrConfig {
    let text =
        std::fs::read_to_string(vectors().join("sdk-R3.4.8/Data/Input/csr-config-example-EN.properties"))
            .unwrap();
    CsrConfig::from_properties(&text).unwrap()
}

#[test]
fn every_sdk_config_parses_and_examples_validate() {
    for (name, text) in sdk_configs() {
        let config = CsrConfig::from_properties(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        if name.contains("template") {
            let error = config.validate().unwrap_err();
            assert_eq!(error.code(), "INVALID_INPUT");
            assert!(error.to_string().contains("csr.common.name: is empty"), "{error}");
        } else {
            config.validate().unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(config.country_name, "SA");
            assert_eq!(config.invoice_type, "1100");
            assert_eq!(config.invoice_families(), (true, true));
            // Text form round trip.
            assert_eq!(CsrConfig::from_properties(&config.to_properties()).unwrap(), config, "{name}");
        }
    }
    let arabic = CsrConfig::from_properties(
        &std::fs::read_to_string(vectors().join("sdk-R3.4.8/Data/Input/csr-config-example-AR.properties"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(arabic.organization_unit_name, "فرع الرياض");
    assert_eq!(arabic.industry_business_category, "أنشطة توريدات");
}

#[test]
fn config_json_round_trip() {
    let config = example_config();
    let json = serde_json::to_string(&config).unwrap();
    assert!(json.contains("\"organization_identifier\":\"399999999900003\""), "{json}");
    assert_eq!(serde_json::from_str::<CsrConfig>(&json).unwrap(), config);
}

#[test]
fn built_csr_round_trips_and_self_verifies_for_every_sdk_example() {
    for (name, text) in sdk_configs().into_iter().filter(|(n, _)| !n.contains("template")) {
        let config = CsrConfig::from_properties(&text).unwrap();
        let key = generate_private_key().unwrap();
        for environment in [Environment::DeveloperPortal, Environment::Simulation, Environment::Core] {
            let csr = build_csr(&config, &key, &environment).unwrap();
            let parsed = parse_csr(csr.der()).unwrap();
            assert!(parsed.signature_valid, "{name}");
            assert_eq!(parsed.config, config, "{name}");
            assert_eq!(parsed.template_name.as_deref(), Some(environment.certificate_template_name()));
            assert_eq!(parsed.extension_oids, [OID_CERTIFICATE_TEMPLATE_NAME, "2.5.29.17"]);
            assert_eq!(parsed.public_key_sec1, key.public_key_sec1());
            // The API form (base64 of the PEM) and PEM read back to the same request.
            assert_eq!(parse_csr(csr.to_api_base64().as_bytes()).unwrap().der, csr.der());
            assert_eq!(parse_csr(csr.to_pem().as_bytes()).unwrap().der, csr.der());
        }
    }
    assert_eq!(Environment::DeveloperPortal.certificate_template_name(), "TSTZATCA-Code-Signing");
    assert_eq!(Environment::Simulation.certificate_template_name(), "PREZATCA-Code-Signing");
    assert_eq!(Environment::Core.certificate_template_name(), "ZATCA-Code-Signing");
}

#[test]
fn same_asn1_as_zatcas_example_csr() {
    // The OpenAPI example was made from the SDK's English example config (production template).
    let example = std::fs::read(vectors().join("fatoora-api/extracted/compliance_request_csr.pem")).unwrap();
    let theirs = parse_csr(&example).unwrap();
    assert!(theirs.signature_valid);
    assert_eq!(theirs.config, example_config());
    let key = generate_private_key().unwrap();
    let ours = build_csr(&example_config(), &key, &Environment::Core).unwrap();
    let ours = parse_csr(ours.der()).unwrap();
    // Subject and SAN byte for byte (so: same attribute types, string types and order).
    assert_eq!(ours.subject_der, theirs.subject_der);
    assert_eq!(ours.subject_alt_name_der, theirs.subject_alt_name_der);
    assert_eq!(ours.extension_oids, theirs.extension_oids);
    // The whole request has the example's length, give or take the DER signature's 70–72 bytes.
    let len = |der: &[u8]| der.len();
    assert!((len(&ours.der) as i64 - len(&theirs.der) as i64).abs() <= 2);
    // Everything before the public key is identical.
    let prefix = 130; // header, version, subject (see `openssl asn1parse`)
    assert_eq!(ours.der[4..prefix], theirs.der[4..prefix]);
    // …and so is everything from the attributes to the signature algorithm.
    let attrs = |der: &[u8]| {
        let at = der.windows(3).position(|w| w == [0xa0, 0x81, 0xe7]).unwrap();
        der[at..at + 3 + 0xe7 + 12].to_vec()
    };
    assert_eq!(attrs(&ours.der), attrs(&theirs.der));
}

fn openssl_available() -> bool {
    Command::new("openssl").arg("version").output().is_ok_and(|o| o.status.success())
}

#[test]
fn openssl_verifies_and_reads_the_same_structure() {
    if !openssl_available() {
        eprintln!("openssl not installed; skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = generate_private_key().unwrap();
    let csr = build_csr(&example_config(), &key, &Environment::Core).unwrap();
    let ours = dir.path().join("ours.pem");
    std::fs::write(&ours, csr.to_pem()).unwrap();
    let verify =
        Command::new("openssl").args(["req", "-verify", "-noout", "-in"]).arg(&ours).output().unwrap();
    let said = String::from_utf8_lossy(&verify.stderr).to_string() + &String::from_utf8_lossy(&verify.stdout);
    assert!(verify.status.success() && said.contains("verify OK"), "{said}");

    // `openssl asn1parse` structure, offsets/lengths/values of key and signature left out.
    let shape = |path: &Path| {
        let out = Command::new("openssl").args(["asn1parse", "-i", "-in"]).arg(path).output().unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| {
                let after = l.split_once("d=").map(|(_, rest)| rest).unwrap_or(l);
                let depth = after.split_whitespace().next().unwrap_or("").to_owned();
                let what = after.split_once(':').map(|(_, rest)| rest).unwrap_or("");
                let what = if what.contains("BIT STRING") || what.contains("INTEGER") {
                    what.split(':').next().unwrap_or("").trim().to_owned()
                } else {
                    what.replace(' ', "")
                };
                format!("{depth} {what}")
            })
            .collect::<Vec<_>>()
    };
    let theirs = vectors().join("fatoora-api/extracted/compliance_request_csr.pem");
    assert_eq!(shape(&ours), shape(&theirs));

    // The -text form names the same subject and SAN.
    let text = Command::new("openssl").args(["req", "-text", "-noout", "-in"]).arg(&ours).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Subject: C = SA, OU = Riyadh Branch, O = Maximum Speed Tech Supply LTD, CN = TST-886431145-399999999900003"), "{text}");
    assert!(text.contains("DirName:/SN=1-TST|2-TST|3-ed22f1d8-e6a2-1118-9b58-d9a8f11e445f/UID=399999999900003/title=1100/registeredAddress=RRRD2929/businessCategory=Supply activities"), "{text}");
    assert!(text.contains("ASN1 OID: secp256k1") && text.contains("ecdsa-with-SHA256"), "{text}");
}

#[test]
fn validation_messages_name_the_key() {
    let key = generate_private_key().unwrap();
    let cases: &[(&str, &str, &str)] = &[
        ("organization_identifier", "300000000000000", "csr.organization.identifier"),
        ("organization_identifier", "39999999990000", "csr.organization.identifier"),
        ("organization_identifier", "39999999990000A", "csr.organization.identifier"),
        ("invoice_type", "1102", "csr.invoice.type"),
        ("invoice_type", "110", "csr.invoice.type"),
        ("invoice_type", "0011", "csr.invoice.type"),
        ("serial_number", "TST-1", "csr.serial.number"),
        ("serial_number", "1-a|2-b", "csr.serial.number"),
        ("serial_number", "1-a|3-b|2-c", "csr.serial.number"),
        ("country_name", "Saudi", "csr.country.name"),
        ("common_name", " ", "csr.common.name"),
        ("organization_unit_name", "Riyadh Branch\n", "csr.organization.unit.name"),
    ];
    for (field, value, key_name) in cases {
        let mut config = example_config();
        let mut json = serde_json::to_value(&config).unwrap();
        json[*field] = serde_json::Value::String((*value).to_owned());
        config = serde_json::from_value(json).unwrap();
        let error = build_csr(&config, &key, &Environment::Core).unwrap_err();
        assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
        assert!(error.to_string().contains(key_name), "{field}={value}: {error}");
    }
    // A VAT group (11th digit 1) needs the member's TIN as OU.
    let mut group = example_config();
    group.organization_identifier = "399999999910003".into();
    let error = group.validate().unwrap_err().to_string();
    assert!(error.contains("10-digit TIN"), "{error}");
    group.organization_unit_name = "3999999999".into();
    group.validate().unwrap();
}

#[test]
fn properties_errors_are_clear() {
    let missing = CsrConfig::from_properties("csr.common.name=x\n").unwrap_err().to_string();
    assert!(missing.contains("missing csr.serial.number"), "{missing}");
    let unknown = example_config().to_properties() + "csr.common.nmae=x\n";
    let unknown = CsrConfig::from_properties(&unknown).unwrap_err().to_string();
    assert!(unknown.contains("unknown key 'csr.common.nmae'"), "{unknown}");
}

#[test]
fn keys_are_fresh_and_secret_free_in_debug() {
    let a = generate_private_key().unwrap();
    let b = generate_private_key().unwrap();
    assert_ne!(a.public_key_sec1(), b.public_key_sec1());
    assert_eq!(format!("{a:?}"), "PrivateKey(<redacted>)");
    let csr = build_csr(&example_config(), &a, &Environment::Simulation).unwrap();
    assert!(format!("{csr:?}").starts_with("Csr {"));
}

#[test]
fn garbage_is_not_a_csr() {
    for input in [
        &b""[..],
        b"hello",
        b"MIIB",
        b"-----BEGIN CERTIFICATE REQUEST-----\n!!\n-----END CERTIFICATE REQUEST-----",
    ] {
        let error = parse_csr(input).unwrap_err();
        assert_eq!(error.code(), "INVALID_INPUT");
        assert!(error.to_string().contains("invalid CSR"), "{error}");
    }
    // A flipped signature byte is reported, not refused.
    let key = generate_private_key().unwrap();
    let mut der = build_csr(&example_config(), &key, &Environment::Core).unwrap().der().to_vec();
    let last = der.len() - 3;
    der[last] ^= 1;
    assert!(!parse_csr(&der).unwrap().signature_valid);
}

#[test]
fn zatcas_renewal_example_csr_reads_from_its_api_form() {
    // The renewal request example: base64 of a CRLF PEM.
    let doc: serde_json::Value = serde_json::from_slice(
        &std::fs::read(vectors().join("fatoora-api/zatca_docs/renewal-api_openapi.json")).unwrap(),
    )
    .unwrap();
    let csr = doc["paths"]["/production/csids"]["patch"]["requestBody"]["content"]["application/json"]["example"]
        ["csr"]
        .as_str()
        .unwrap();
    let parsed = parse_csr(csr.as_bytes()).unwrap();
    assert!(parsed.signature_valid);
    assert_eq!(parsed.template_name.as_deref(), Some("ZATCA-Code-Signing"));
    assert_eq!(parsed.config.organization_identifier, "399999999900003");
    // Its businessCategory starts with U+064D (ARABIC KASRATAN), kept as is.
    assert_eq!(parsed.config.industry_business_category, "\u{64d}Supply activities");
    parsed.config.validate().unwrap();
    let pem = std::fs::read(vectors().join("fatoora-api/extracted/renewal_request_csr.pem")).unwrap();
    assert_eq!(parse_csr(&pem).unwrap().der, parsed.der);
}
