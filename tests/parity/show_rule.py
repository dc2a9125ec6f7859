#!/usr/bin/env python3
"""Prints the official condition of ZATCA rules, read from the SDK's compiled Schematron.

    tests/parity/show_rule.py [--xsl-dir DIR] BR-CO-15 BR-KSA-F-13 ...

For each rule: the XSL file, the flag, the template's match (the rule's context) and the chain of
enclosing xsl:if / xsl:for-each tests: the assertion fails when every IF test is true. Variables
the tests use are printed with their definitions. The XSL stays in ../shared; nothing is copied.
"""
import argparse
import os
import sys
import xml.etree.ElementTree as ET

XSL = "{http://www.w3.org/1999/XSL/Transform}"
SVRL = "{http://purl.oclc.org/dsdl/svrl}"
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIR = os.path.join(
    HERE, "../../../shared/zatca/vectors/zatca-sdk-238-R3.4.8__aashahin_zatca-sdk/Data/Rules/Schematrons"
)
FILES = ("20210819_ZATCA_E-invoice_Validation_Rules.xsl", "CEN-EN16931-UBL.xsl")


def one_line(text):
    return " ".join((text or "").split())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--xsl-dir", default=os.environ.get("QAYD_ZATCA_XSL_DIR", DEFAULT_DIR))
    parser.add_argument("rules", nargs="+")
    args = parser.parse_args()
    wanted = set(args.rules)
    for name in FILES:
        tree = ET.parse(os.path.join(args.xsl_dir, name))
        parent = {child: node for node in tree.iter() for child in node}
        for assertion in tree.iter(SVRL + "failed-assert"):
            rule = assertion.get("id")
            if rule not in wanted:
                continue
            tests, node, template = [], parent.get(assertion), None
            while node is not None:
                if node.tag == XSL + "if":
                    tests.append("IF " + one_line(node.get("test")))
                elif node.tag == XSL + "for-each":
                    tests.append("FOR-EACH " + one_line(node.get("select")))
                elif node.tag == XSL + "template":
                    template = node
                    break
                node = parent.get(node)
            print(f"## {rule} ({name}, {assertion.get('flag')})")
            print(f"   context: {template.get('match') if template is not None else '?'}")
            for test in reversed(tests):
                print(f"   {test}")
            if template is not None:
                used = " ".join(tests)
                for var in template.iter(XSL + "variable"):
                    if "$" + var.get("name", "") in used and var.get("select"):
                        print(f"   ${var.get('name')} = {one_line(var.get('select'))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
