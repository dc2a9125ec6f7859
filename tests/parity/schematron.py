#!/usr/bin/env python3
"""Runs ZATCA's official R3.4.8 Schematron (the two compiled XSL files of the SDK) on documents.

The oracle of `core/tests/validate_parity.rs`. ZATCA's XSL stays where it is (../shared); this
script reads it from --xsl-dir and never copies it. It needs `saxonche` (PyPI).

    TZ=Asia/Riyadh schematron.py --xsl-dir DIR < jobs

Reads one job per line on stdin, `UNIX_SECONDS<TAB>PATH` (the validation time, the document),
and writes one JSON object per line on stdout:
    {"file": PATH, "findings": [[RULE_ID, "error"|"warning"], ...]}
or, when Saxon stops on the document (some invalid values abort an XPath cast),
    {"file": PATH, "abort": MESSAGE}

Time: ZATCA judges dates on its own clock, in Riyadh. In memory, `current-dateTime()` and
`current-date()` are replaced by a stylesheet parameter holding the job's instant in Riyadh time
(+03:00), so both sides of the differential test judge BR-KSA-04 and BR-KSA-98 at the same
instant. Dates and times written without a zone take the implicit timezone, which must be
Riyadh's too: run with TZ=Asia/Riyadh.
"""
import argparse
import datetime
import json
import os
import sys
import xml.etree.ElementTree as ET

XSL_FILES = ("20210819_ZATCA_E-invoice_Validation_Rules.xsl", "CEN-EN16931-UBL.xsl")
SVRL = "{http://purl.oclc.org/dsdl/svrl}"
RIYADH = datetime.timezone(datetime.timedelta(hours=3))


CLOCK = "qayd-now"


def with_injected_clock(xsl_text: str) -> str:
    """The stylesheet with the clock read from the parameter `qayd-now` (an xs:dateTime)."""
    xsl_text = xsl_text.replace("current-dateTime()", f"xs:dateTime(${CLOCK})")
    xsl_text = xsl_text.replace("current-date()", f"xs:date(xs:dateTime(${CLOCK}))")
    root_end = xsl_text.index(">", xsl_text.index("<xsl:transform")) + 1
    param = f'<xsl:param name="{CLOCK}" as="xs:string" required="yes"/>'
    return xsl_text[:root_end] + param + xsl_text[root_end:]


def riyadh_time(now_unix: int) -> str:
    return datetime.datetime.fromtimestamp(now_unix, RIYADH).isoformat(timespec="seconds")


def findings(svrl_text: str):
    out = set()
    for node in ET.fromstring(svrl_text).iter(SVRL + "failed-assert"):
        flag = node.get("flag", "error")
        out.add((node.get("id"), "warning" if flag == "warning" else "error"))
    return sorted(out)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--xsl-dir", required=True)
    args = parser.parse_args()
    if os.environ.get("TZ") != "Asia/Riyadh":
        print("schematron.py: run with TZ=Asia/Riyadh (ZATCA's implicit timezone)", file=sys.stderr)
        return 2
    from saxonche import PySaxonProcessor, PySaxonApiError

    with PySaxonProcessor(license=False) as proc:
        compiler = proc.new_xslt30_processor()
        stylesheets = []
        for name in XSL_FILES:
            with open(os.path.join(args.xsl_dir, name), encoding="utf-8") as f:
                text = with_injected_clock(f.read())
            stylesheets.append(compiler.compile_stylesheet(stylesheet_text=text))
        for line in sys.stdin:
            if not line.strip():
                continue
            now, path = line.rstrip("\n").split("\t", 1)
            try:
                with open(path, encoding="utf-8") as f:
                    node = proc.parse_xml(xml_text=f.read())
                found = []
                for sheet in stylesheets:
                    sheet.set_parameter(CLOCK, proc.make_string_value(riyadh_time(int(now))))
                    found.extend(findings(sheet.transform_to_string(xdm_node=node)))
                record = {"file": path, "findings": sorted(set(found))}
            except (PySaxonApiError, UnicodeDecodeError) as e:
                record = {"file": path, "abort": str(e).strip().splitlines()[0][:300]}
            print(json.dumps(record, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
