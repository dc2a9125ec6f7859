"""The one surface (core/src/embed/surface.rs, rendered to tests/conformance/surface.json):
every operation and type named in the Python column exists in the `qayd` package."""

import json

import qayd
from conftest import CONFORMANCE

SURFACE = json.loads((CONFORMANCE / "surface.json").read_text(encoding="utf-8"))


def _missing(column: str) -> list:
    missing = []
    for item in SURFACE[column]:
        name = item["python"]
        if name is None:
            continue
        target = qayd
        for part in name.split("."):
            if not hasattr(target, part):
                missing.append(name)
                break
            target = getattr(target, part)
    return missing


def test_every_operation_of_the_surface_exists():
    assert len(SURFACE["operations"]) > 40
    assert _missing("operations") == []


def test_every_type_of_the_surface_exists():
    assert _missing("types") == []


def test_network_operations_have_an_async_twin():
    network = [o["python"] for o in SURFACE["operations"] if o["style"] == "network" and o["python"]]
    missing = []
    for name in network:
        owner, _, method = name.rpartition(".")
        target = getattr(qayd, owner) if owner else qayd
        if method not in ("close", "stop") and not hasattr(target, method + "_async"):
            missing.append(name)
    assert missing == []


def test_the_enums_hold_the_cores_values_in_its_order():
    pairs = {
        qayd.DocumentStatus: "document_statuses",
        qayd.ClearOutcome: "clear_outcomes",
        qayd.ApiOutcome: "api_outcomes",
        qayd.EventKind: "event_kinds",
        qayd.Severity: "severities",
    }
    for enum, key in pairs.items():
        assert [member.value for member in enum] == SURFACE[key], enum.__name__
        assert all(member.name == member.value.upper() for member in enum)
    assert qayd.DocumentStatus.REPORTED == "reported" and str(qayd.EventKind.DEAD_LETTER) == "dead_letter"
