#!/usr/bin/env python3
"""Writes the language-neutral conformance cases (cases/*.json) and their inputs.

Expected values that ZATCA's samples carry (invoice hashes, QR payloads) are read from the
samples themselves; expected outputs of stamping are produced by the Rust core once
(`QAYD_BLESS=1 cargo test -p qayd --test conformance`) and then every binding must reproduce
them byte for byte. Run this script again only when the case list changes.
"""
import base64, json, pathlib, re

HERE = pathlib.Path(__file__).resolve().parent
SAMPLES = HERE.parent / "vectors/sdk-R3.4.8/Data/Samples"
CERT = "../vectors/sdk-R3.4.8/Data/Certificates/cert.pem"
KEY = "../vectors/sdk-R3.4.8/Data/Certificates/ec-secp256k1-priv-key.pem"


def rel(p):
    return str(pathlib.Path(p).resolve().relative_to(HERE, walk_up=True)) if hasattr(pathlib.Path, "walk_up") else __import__("os").path.relpath(p, HERE)


def slug(path):
    return re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")


def between(text, open_, close):
    start = text.index(open_) + len(open_)
    return text[start:text.index(close, start)]


def unsign(xml):
    for open_, close in (("<ext:UBLExtensions>", "</ext:UBLExtensions>"), ("<cac:Signature>", "</cac:Signature>")):
        a = xml.index(open_)
        xml = xml[:a] + xml[xml.index(close) + len(close):]
    at = xml.index("<cbc:ID>QR</cbc:ID>")
    a = xml.rindex("<cac:AdditionalDocumentReference>", 0, at)
    close = "</cac:AdditionalDocumentReference>"
    b = xml.index(close, at) + len(close)
    return xml[:a] + xml[b:]


def write(name, case):
    case = {"name": name, **case}
    (HERE / "cases" / f"{name}.json").write_text(json.dumps(case, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main():
    for old in (HERE / "cases").glob("*.json"):
        old.unlink()
    samples = sorted(SAMPLES.rglob("*.xml"))
    for path in samples:
        text = path.read_text(encoding="utf-8")
        ref = between(text, '<ds:Reference Id="invoiceSignedData"', "</ds:Reference>")
        kind = path.parent.parent.name.lower() + "-" + path.parent.name.lower()
        write(f"hash-{kind}-{slug(path)}", {"operation": "hash", "input": rel(path),
              "expected": {"invoice_hash": between(ref, "<ds:DigestValue>", "</ds:DigestValue>")}})
        write(f"verify-{kind}-{slug(path)}", {"operation": "verify", "input": rel(path),
              "expected": {"valid": True, "failed_checks": []}})

    # Validation of every sample (the simplified ones warn BR-KSA-98: they are from 2022).
    for path in samples:
        kind = path.parent.parent.name.lower() + "-" + path.parent.name.lower()
        write(f"validate-{kind}-{slug(path)}", {"operation": "validate", "input": rel(path), "expected": {"bless": True}})
    # ... and of a spread of the validation mutation corpus (tests/validation/mutations).
    mutations = json.loads((HERE.parent / "validation/mutations/mutations.json").read_text(encoding="utf-8"))
    for index in range(0, len(mutations), 12):
        m = mutations[index]
        text = (SAMPLES / m["base"]).read_text(encoding="utf-8")
        for edit in m["edits"]:
            replace = re.sub(r"\{\{(.)\*(\d+)\}\}", lambda g: g.group(1) * int(g.group(2)), edit["replace"])
            if edit["find"] not in text:
                break
            text = text.replace(edit["find"], replace, 1)
        else:
            name = f"validate-mutation-{index:03d}"
            (HERE / "inputs" / f"{name}.xml").write_bytes(text.encode("utf-8"))
            write(name, {"operation": "validate", "input": f"inputs/{name}.xml", "note": m["description"],
                         "expected": {"bless": True}})

    # Stamping: the unsigned form of four samples, with the SDK's signing time.
    for sub in ("Simplified/Invoice/Simplified_Invoice.xml", "Standard/Invoice/Standard_Invoice.xml",
                "Simplified/Credit/Simplified_Credit_Note.xml", "Standard/Debit/Standard_Debit_Note.xml",
                "Standard/Invoice/Advance Payment adjustments with foreign currency invoice.xml"):
        path = SAMPLES / sub
        text = path.read_text(encoding="utf-8")
        name = slug(path)
        unsigned = HERE / "inputs" / f"{name}.unsigned.xml"
        unsigned.write_bytes(unsign(text).encode("utf-8"))
        write(f"stamp-{name}", {"operation": "stamp", "input": rel(unsigned), "certificate": CERT, "private_key": KEY,
              "signing_time": between(text, "<xades:SigningTime>", "</xades:SigningTime>"),
              "expected": {"xml": f"expected/stamp-{name}.xml"}})

    simplified = (SAMPLES / "Simplified/Invoice/Simplified_Invoice.xml").read_text(encoding="utf-8")
    tampered = HERE / "inputs" / "simplified-invoice.tampered-amount.xml"
    tampered.write_bytes(simplified.replace('<cbc:PayableAmount currencyID="SAR">231.15', '<cbc:PayableAmount currencyID="SAR">231.16', 1).encode("utf-8"))
    write("verify-tampered-amount", {"operation": "verify", "input": rel(tampered),
          "expected": {"valid": False, "failed_checks": ["invoice_hash", "qr"]}})
    write("verify-unsigned", {"operation": "verify", "input": "inputs/simplified-invoice.unsigned.xml",
          "expected": {"valid": False, "failed_checks": ["qr", "stamp"]}})

    qr = between(simplified[simplified.index("<cbc:ID>QR</cbc:ID>"):], 'mimeCode="text/plain">', "<")
    write("qr-decode-simplified-invoice", {"operation": "qr_decode", "qr": qr, "expected": {"bless": True}})
    write("qr-decode-truncated", {"operation": "qr_decode", "qr": base64.b64encode(b"\x01\x05ab").decode(), "expected": {"error": "INVALID_QR"}})
    write("qr-decode-not-base64", {"operation": "qr_decode", "qr": "not base64!", "expected": {"error": "INVALID_QR"}})

    bad = HERE / "inputs"
    (bad / "malformed.xml").write_bytes(b"<Invoice><cbc:ID>1</Invoice>")
    (bad / "doctype.xml").write_bytes(b'<?xml version="1.0"?>\n<!DOCTYPE Invoice [<!ENTITY x "boom">]>\n<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&x;</Invoice>')
    (bad / "not-an-invoice.xml").write_bytes(b'<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"/>')
    (bad / "wrong-namespace.xml").write_bytes(b'<Invoice xmlns="urn:example:not-ubl"/>')
    (bad / "not-utf8.xml").write_bytes(b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">\xff\xfe</Invoice>')
    for name, code in (("malformed", "INVALID_XML"), ("doctype", "INVALID_XML"), ("not-utf8", "INVALID_XML"),
                       ("not-an-invoice", "INVALID_DOCUMENT"), ("wrong-namespace", "INVALID_DOCUMENT")):
        write(f"hash-error-{name}", {"operation": "hash", "input": f"inputs/{name}.xml", "expected": {"error": code}})
    # Generation from the model's JSON form: the writer's bytes, exactly.
    models = HERE.parent.parent / "core/tests/fixtures/models"
    for model in sorted(models.glob("*.json")):
        name = model.stem.replace("_", "-")
        write(f"generate-{name}", {"operation": "generate", "input": rel(model),
              "expected": {"xml": f"expected/generate-{name}.xml"}})
        # ... and the generated document stamped (the file above is the input).
        write(f"stamp-generated-{name}", {"operation": "stamp", "input": f"expected/generate-{name}.xml",
              "certificate": CERT, "private_key": KEY, "signing_time": "2025-03-14T19:42:06",
              "expected": {"xml": f"expected/stamp-generated-{name}.xml"}})
        # ... and the model stamped in one call (the fast path): the very same bytes.
        write(f"stamp_invoice-{name}", {"operation": "stamp_invoice", "input": rel(model),
              "certificate": CERT, "private_key": KEY, "signing_time": "2025-03-14T19:42:06",
              "expected": {"xml": f"expected/stamp-generated-{name}.xml"}})
    (bad / "model-bad-vat.json").write_text((models / "simplified_invoice.json").read_text(encoding="utf-8")
                                            .replace('"310122393500003"', '"123"'), encoding="utf-8")
    (bad / "model-unknown-field.json").write_text('{"kind": "simplified", "colour": "blue"}', encoding="utf-8")
    (bad / "model-not-json.json").write_text("<Invoice/>", encoding="utf-8")
    write("generate-error-bad-vat", {"operation": "generate", "input": "inputs/model-bad-vat.json", "expected": {"error": "INVALID_MODEL"}})
    write("generate-error-unknown-field", {"operation": "generate", "input": "inputs/model-unknown-field.json", "expected": {"error": "INVALID_INPUT"}})
    write("generate-error-not-json", {"operation": "generate", "input": "inputs/model-not-json.json", "expected": {"error": "INVALID_INPUT"}})

    write("stamp_invoice-error-bad-vat", {"operation": "stamp_invoice", "input": "inputs/model-bad-vat.json", "certificate": CERT,
          "private_key": KEY, "signing_time": "2025-03-14T19:42:06", "expected": {"error": "INVALID_MODEL"}})

    stamp = {"operation": "stamp", "input": "inputs/simplified-invoice.unsigned.xml", "signing_time": "2025-07-22T15:51:28"}
    write("stamp-error-key-mismatch", {**stamp, "certificate": CERT, "private_key": "keys/other-secp256k1.pem", "expected": {"error": "KEY_MISMATCH"}})
    write("stamp-error-p256-key", {**stamp, "certificate": CERT, "private_key": "keys/p256.pem", "expected": {"error": "INVALID_KEY"}})
    write("stamp-error-key-is-a-certificate", {**stamp, "certificate": CERT, "private_key": CERT, "expected": {"error": "INVALID_KEY"}})
    write("stamp-error-bad-signing-time", {**stamp, "certificate": CERT, "private_key": KEY, "signing_time": "22/07/2025 15:51", "expected": {"error": "INVALID_INPUT"}})
    write("stamp-other-key-pkcs8-mismatch", {**stamp, "certificate": CERT, "private_key": "keys/other-secp256k1-pkcs8.pem", "expected": {"error": "KEY_MISMATCH"}})

    csr_cases()
    engine_cases()


def engine_cases():
    """The engine through the local gateway (each runner starts `qayd gateway` on 127.0.0.1, or takes
    QAYD_GATEWAY_URL): onboard with the OTP, issue, issue a batch, drain, clear; then the stored
    documents (chain, QR of each), the lifecycle events and the status counts. Documents come from
    `sample_invoice(identity, kind, type)` (issued now), so the expected values are those that do
    not depend on the clock; the core's result is blessed once and every language must match it."""
    identity = rel(HERE.parent / "vectors/sdk-R3.4.8/Data/Input/csr-config-example-EN.properties")
    write("engine-lifecycle", {"operation": "engine", "identity": identity, "otp": "123456", "steps": [
        {"do": "issue", "egs": "till-1", "sample": ["simplified", "invoice"]},
        {"do": "issue_many", "egs": "till-1", "entries": [
            {"sample": ["simplified", "credit_note"]},
            {"model": "inputs/model-bad-vat.json"},
            {"sample": ["simplified", "debit_note"]}]},
        {"do": "drain"},
        {"do": "clear", "egs": "till-1", "sample": ["standard", "invoice"]},
        {"do": "issue", "egs": "till-2", "sample": ["standard", "credit_note"]},
    ], "expected": {"bless": True}})


def csr_cases():
    """CSRs: deterministic (RFC 6979) for a fixed key, identity and environment."""
    bad = HERE / "inputs"
    inputs = HERE.parent / "vectors/sdk-R3.4.8/Data/Input"
    for props, environment in (("csr-config-example-EN.properties", "developer-portal"),
                               ("csr-config-example-EN.properties", "simulation"),
                               ("csr-config-example-EN.properties", "core"),
                               ("csr-config-example-AR.properties", "core"),
                               ("csr-config-example-EN-VAT-group.properties", "simulation"),
                               ("csr-config-example-AR-VAT-Group.properties", "developer-portal")):
        name = f"csr-{slug(inputs / props).removeprefix('csr-config-example-')}-{environment}"
        write(name, {"operation": "csr", "identity": rel(inputs / props), "private_key": KEY,
                     "environment": environment, "expected": {"bless": True}})
    en = (inputs / "csr-config-example-EN.properties").read_text(encoding="utf-8")
    (bad / "csr-bad-vat.properties").write_text(en.replace("399999999900003", "3999"), encoding="utf-8")
    csr = {"operation": "csr", "identity": rel(inputs / "csr-config-example-EN.properties"), "private_key": KEY,
           "environment": "core"}
    write("csr-error-bad-vat", {**csr, "identity": "inputs/csr-bad-vat.properties", "expected": {"error": "INVALID_INPUT"}})
    write("csr-error-p256-key", {**csr, "private_key": "keys/p256.pem", "expected": {"error": "INVALID_KEY"}})
    write("csr-error-unknown-environment", {**csr, "environment": "mars", "expected": {"error": "INVALID_INPUT"}})

if __name__ == "__main__":
    main()
