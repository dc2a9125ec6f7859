#!/usr/bin/env python3
"""Onboard an EGS unit and run the durable engine against the local Fatoora gateway.

    cargo build -p qayd-cli && pip install ./bindings-python
    python examples/python/engine_gateway.py [--gateway URL]

Without --gateway it starts `target/debug/qayd gateway --port 0` (127.0.0.1) and stops it at the
end. Steps: onboarding (OTP 123456, with progress), an engine on a temporary SQLite file under a
fresh master key, a simplified invoice reported through an injected HTTP 503, a standard invoice
cleared, the status counts and the audit log check.
"""

import argparse
import json
import os
import pathlib
import subprocess
import tempfile
import time
import urllib.request

import qayd

REPO = pathlib.Path(__file__).resolve().parents[2]
IDENTITY = REPO / "tests/vectors/sdk-R3.4.8/Data/Input/csr-config-example-EN.properties"


def start_gateway():
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    process = subprocess.Popen(
        [str(target / "debug/qayd"), "gateway", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    return process, process.stdout.readline().strip()


def inject(gateway: str, fault: dict) -> None:
    request = urllib.request.Request(
        f"{gateway}/__qayd/faults", json.dumps(fault).encode(), {"Content-Type": "application/json"}, method="POST"
    )
    urllib.request.urlopen(request, timeout=5).close()


def run(gateway: str) -> None:
    identity = qayd.identity_from_text(IDENTITY.read_text(encoding="utf-8"))
    credentials = qayd.onboard(
        identity, "123456", gateway, progress=lambda step, index, total: print(f"  [{index}/{total}] {step}")
    )
    print("onboarded:", credentials)

    master_key = qayd.generate_master_key()  # keep it in QAYD_MASTER_KEY, outside the store
    with tempfile.TemporaryDirectory() as folder, qayd.Engine(
        store=f"{folder}/qayd.db", environment=gateway, master_key=master_key, retry_base_ms=100
    ) as engine:
        engine.set_credentials("till-1", credentials)
        issued = engine.issue("till-1", qayd.sample_invoice(identity, "simplified"))
        print("issued ICV", issued["info"]["icv"], issued["info"]["uuid"])

        inject(gateway, {"status": 503})
        print("drain through an outage:", engine.drain())
        while engine.drain()["reported"] == 0:  # retry times are whole seconds
            time.sleep(0.2)

        cleared = engine.clear("till-1", qayd.sample_invoice(identity, "standard"))
        print("clearance:", cleared["outcome"], len(cleared["document"]["cleared_xml"]), "bytes")
        print("status counts:", engine.status_counts())
        print("audit:", engine.verify_audit())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gateway", help="base URL of a running gateway (default: start one)")
    args = parser.parse_args()
    process = None
    gateway = args.gateway
    if gateway is None:
        process, gateway = start_gateway()
    try:
        run(gateway)
    except qayd.QaydError as error:
        print(f"failed: {error.code}: {error}")
        return 1
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
