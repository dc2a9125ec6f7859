#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ from the repository's real files (corpus/ is not committed).
Run from fuzz/: python3 seed_corpora.py"""
import base64, glob, json, os, re, shutil

R = ".."
DATA = f"{R}/tests/vectors/sdk-R3.4.8/Data"
API = f"{R}/tests/vectors/fatoora-api"


def put(target, name, content):
    os.makedirs(f"corpus/{target}", exist_ok=True)
    mode = "wb" if isinstance(content, bytes) else "w"
    with open(f"corpus/{target}/{name}", mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as f:
        f.write(content)


def copy(target, pattern):
    for path in glob.glob(pattern):
        put(target, os.path.basename(path), open(path, "rb").read())


def properties(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        if "=" in line and not line.startswith("#"):
            key, value = line.rstrip("\n").split("=", 1)
            out[key.removeprefix("csr.").replace(".", "_")] = value.strip()
    return out


# Identities: the SDK's .properties, their JSON form, the conformance inputs.
copy("csr_identity", f"{DATA}/Input/*.properties")
copy("csr_identity", f"{R}/tests/conformance/inputs/*.properties")
for path in glob.glob(f"{DATA}/Input/csr-config-example-*.properties"):
    put("csr_identity", os.path.basename(path) + ".json", json.dumps(properties(path), ensure_ascii=False))

# CSRs: the API examples and every expected CSR of the conformance cases, in all four forms.
copy("csr_parse", f"{API}/extracted/*csr.pem")
for path in glob.glob(f"{R}/tests/conformance/cases/csr-*.json"):
    expected = json.load(open(path)).get("expected")
    if isinstance(expected, dict) and "pem" in expected:
        name = os.path.basename(path)
        body = "".join(l for l in expected["pem"].splitlines() if not l.startswith("-----"))
        put("csr_parse", name + ".pem", expected["pem"])
        put("csr_parse", name + ".b64", expected["base64"])
        put("csr_parse", name + ".der", base64.b64decode(body))
        put("csr_parse", name + ".derb64", body)

# Invoice models.
copy("invoice_model", f"{R}/core/tests/fixtures/models/*.json")
copy("invoice_model", f"{R}/tests/conformance/inputs/model-*.json")
copy("invoice_model", f"{R}/tests/bench/*.json")

# Validation: the SDK samples, the conformance inputs, and every mutation document.
copy("validate", f"{DATA}/Samples/*/*/*.xml")
copy("validate", f"{R}/tests/conformance/inputs/*.xml")
for i, m in enumerate(json.load(open(f"{R}/tests/validation/mutations/mutations.json"))):
    text = open(f"{DATA}/Samples/{m['base']}", encoding="utf-8").read()
    for edit in m["edits"]:
        text = text.replace(edit["find"], edit["replace"], 1) if "find" in edit else text.replace(edit["remove"], "", 1)
    put("validate", f"mutation-{i:03}.xml", text)

# Engine options (the target forces the store to :memory:).
for i, options in enumerate([
    {"store": ":memory:"},
    {"store": ":memory:", "environment": "simulation", "retry_base_ms": 1000, "retry_cap_ms": 60000,
     "max_attempts": 5, "clear_wait_ms": 10000, "poll_interval_ms": 5000, "validation": "warn_only",
     "timeout_ms": 30000, "connect_timeout_ms": 10000},
    {"store": ":memory:", "environment": "http://127.0.0.1:9/", "validation": "refuse_on_warnings",
     "master_key": base64.b64encode(bytes(32)).decode()},
    {"store": ":memory:", "environment": "core", "validation": "off", "max_attempts": 0},
]):
    put("engine_options", f"options-{i}.json", json.dumps(options))

# API answers: the extracted responses, every CSID-like example object in ZATCA's API docs,
# and the onboarding credentials file.
copy("api_responses", f"{API}/extracted/*response*.json")
found = []


def walk(x):
    if isinstance(x, dict):
        if {"binarySecurityToken", "dispositionMessage", "errors"} & x.keys():
            found.append(x)
        for v in x.values():
            walk(v)
    elif isinstance(x, list):
        for v in x:
            walk(v)


for path in glob.glob(f"{API}/zatca_docs/*.json"):
    walk(json.load(open(path)))
for path in glob.glob(f"{API}/zatca_docs/*.md"):
    for block in re.findall(r"```(?:json)?\n(\{.*?\})\n```", open(path).read(), re.S):
        try:
            walk(json.loads(block))
        except ValueError:
            pass
for i, x in enumerate(found):
    put("api_responses", f"csid-{i}.json", json.dumps(x))
token = open(f"{API}/extracted/production_csid_response_200_binarySecurityToken_decoded.b64cert.txt").read().strip()
csid = {"binary_security_token": base64.b64encode(token.encode()).decode(), "secret": "s3cr3t",
        "request_id": "1234567890123", "not_after": 1767225600}
credentials = {
    "environment": "simulation",
    "identity": properties(f"{DATA}/Input/csr-config-example-EN.properties"),
    "private_key": open(f"{DATA}/Certificates/ec-secp256k1-priv-key.pem").read(),
    "csr": open(f"{API}/extracted/compliance_request_csr.pem").read(),
    "compliance": csid, "production": csid, "certificate_expiry": 1767225600, "issued_at": 1700000000,
    "samples": [{"document": "standard invoice", "sample": {"kind": "standard", "document_type": "invoice"},
                 "icv": 1, "uuid": "u", "invoice_hash": "h", "status": "accepted", "warnings": ["[W] x"]}],
}
put("api_responses", "credentials.json", json.dumps(credentials))
credentials["environment"] = {"custom": "http://127.0.0.1:1"}
put("api_responses", "credentials-custom.json", json.dumps(credentials))

# The older targets.
copy("invoice_reader", f"{DATA}/Samples/*/*/*.xml")
copy("pdf_render", f"{DATA}/Samples/*/*/*.xml")
copy("c14n", f"{DATA}/Samples/*/*/*.xml")
copy("key_material", f"{DATA}/Certificates/*")
copy("key_material", f"{API}/extracted/*.b64cert.txt")
