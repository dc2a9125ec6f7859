#!/usr/bin/env python3
"""Smoke test of an installed qayd wheel (bindings-python/test.sh --package runs it).

    python smoke.py REPO GATEWAY_BINARY

Run from outside the repository with the wheel installed in the interpreter's environment and no
Rust toolchain on PATH. It checks that `qayd` is the installed package (not the source tree), then
stamps and verifies the shared 5-line invoice (tests/bench/) with the SDK's test certificate, and
drives an engine through the local gateway (`qayd gateway --port 0`, 127.0.0.1): onboarding, the
5-line invoice issued and reported, a standard invoice cleared. Exits non-zero on any failure.
"""

import json
import pathlib
import subprocess
import sys
import sysconfig
import tempfile

import qayd


def check(condition, what):
    if not condition:
        raise SystemExit(f"FAILED: {what}")
    print(f"ok  {what}")


def stamp_and_verify(repo: pathlib.Path) -> None:
    sdk = repo / "tests/vectors/sdk-R3.4.8/Data"
    bench = repo / "tests/bench"
    signer = qayd.Signer(
        (sdk / "Certificates/cert.pem").read_bytes(), (sdk / "Certificates/ec-secp256k1-priv-key.pem").read_bytes()
    )
    xml = (bench / "simplified-5-lines.xml").read_bytes()
    check(qayd.generate((bench / "simplified-5-lines.json").read_text(encoding="utf-8")) == xml,
          "the model writer gives the shared 5-line XML byte for byte")
    stamped = signer.stamp(xml, signing_time="2025-07-22T15:51:28")
    check(stamped.invoice_hash == qayd.invoice_hash(xml), f"invoice hash {stamped.invoice_hash}")
    report = qayd.verify(stamped.xml)
    check(report.valid and not report.failures, f"verify: {len(report.checks)} checks, all passed")
    fields = {f.tag: f.value for f in qayd.qr_decode(stamped.qr)}
    check(fields.get(6) == stamped.invoice_hash, "QR tag 6 carries the invoice hash")
    errors = [f for f in qayd.validate(stamped.xml).findings if f.severity == "error"]
    check(not errors, f"validate: no errors ({[f.rule for f in errors]})")


def through_gateway(repo: pathlib.Path, binary: str) -> None:
    gateway = subprocess.Popen([binary, "gateway", "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        url = gateway.stdout.readline().strip()
        check(url.startswith("http://127.0.0.1:"), f"local gateway at {url}")
        config = repo / "tests/vectors/sdk-R3.4.8/Data/Input/csr-config-example-EN.properties"
        identity = qayd.identity_from_text(config.read_text(encoding="utf-8"))
        credentials = qayd.onboard(identity, "123456", url)
        check(bool(credentials.production_request_id), f"onboarded {credentials.common_name}")

        model = json.loads((repo / "tests/bench/simplified-5-lines.json").read_text(encoding="utf-8"))
        model["seller"]["vat_number"] = credentials.vat_number  # the unit's own VAT number
        with tempfile.TemporaryDirectory() as folder, qayd.Engine(
            store=f"{folder}/qayd.db", environment=url, master_key=qayd.generate_master_key(),
            retry_base_ms=10, retry_cap_ms=20, clear_wait_ms=10000,
        ) as engine:
            engine.set_credentials("till-1", credentials)
            issued = engine.issue("till-1", model)
            check(issued["info"]["icv"] == 1 and qayd.verify(issued["xml"]).valid,
                  "engine issued the 5-line invoice as ICV 1, stamped and valid")
            drained = engine.drain()
            check(drained["reported"] == 1, f"drain reported it: {drained}")
            cleared = engine.clear("till-1", qayd.sample_invoice(identity, "standard"))
            check(cleared["outcome"] == "cleared" and cleared["document"]["cleared_xml"],
                  f"engine.clear: {cleared['outcome']}, {len(cleared['document']['cleared_xml'] or b'')} bytes back")
            check(qayd.verify(cleared["document"]["cleared_xml"]).valid, "the cleared document verifies")
            audit = engine.verify_audit()
            check(audit["intact"], f"audit log intact ({audit['rows']} rows)")
    finally:
        gateway.terminate()
        gateway.wait(timeout=10)


def main() -> int:
    repo, binary = pathlib.Path(sys.argv[1]).resolve(), sys.argv[2]
    native = pathlib.Path(qayd._native.__file__).resolve()
    site = pathlib.Path(sysconfig.get_paths()["purelib"]).resolve()
    check(site in native.parents, f"qayd {qayd.__version__} from the installed wheel ({native.name})")
    check(repo not in native.parents, "not from the source tree")
    stamp_and_verify(repo)
    through_gateway(repo, binary)
    print(f"python package smoke: passed (Python {sys.version.split()[0]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
