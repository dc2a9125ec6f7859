"""Validation through Python: rule ids, severities, bilingual messages and fixes."""
import pathlib

import pytest

import qayd

SAMPLES = pathlib.Path(__file__).resolve().parents[2] / "tests/vectors/sdk-R3.4.8/Data/Samples"


def test_sdk_sample_has_no_errors():
    report = qayd.validate((SAMPLES / "Standard/Invoice/Standard_Invoice.xml").read_bytes())
    assert report.valid and bool(report)
    assert not [f for f in report.findings if f.severity == "error"]


def test_an_error_names_its_rule_in_both_languages():
    xml = (SAMPLES / "Standard/Invoice/Standard_Invoice.xml").read_text(encoding="utf-8")
    broken = xml.replace("<cbc:CompanyID>399999999900003</cbc:CompanyID>", "<cbc:CompanyID>39999999990003</cbc:CompanyID>", 1)
    report = qayd.validate(broken)
    assert not report.valid
    finding = next(f for f in report.findings if f.rule == "BR-KSA-40")
    assert finding.severity == "error" and finding.severity is qayd.Severity.ERROR
    assert 'severity="error"' in repr(finding)
    assert finding.message_en and finding.message_ar and finding.path.startswith("/Invoice")
    assert "BR-KSA-40" in repr(finding)


def test_bad_input_raises_the_right_errors():
    with pytest.raises(qayd.InvalidXmlError):
        qayd.validate(b"<Invoice")
    with pytest.raises(TypeError):
        qayd.validate(42)
