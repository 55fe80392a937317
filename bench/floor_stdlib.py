"""The stdlib floor of a cli-json -> s3-xml conversion, as a process: json load, ElementTree build, defusedxml parse.

Run: python bench/floor_stdlib.py FILE.json. It builds the XML element for element from the JSON (lists flattened as
S3 has them), writes it indented, and parses the text back with defusedxml; it checks nothing.
"""

import json
import sys
from xml.etree import ElementTree as ET

from defusedxml.ElementTree import fromstring

FLATTENED = {"Rules": "Rule", "Tags": "Tag"}


def build(parent, data: dict) -> None:
    for member, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            child = ET.SubElement(parent, FLATTENED.get(member, member) if isinstance(value, list) else member)
            if isinstance(item, dict):
                build(child, item)
            else:
                child.text = str(item)


with open(sys.argv[1], encoding="utf-8") as handle:
    document = json.load(handle)
root = ET.Element("ReplicationConfiguration", xmlns="http://s3.amazonaws.com/doc/2006-03-01/")
build(root, document.get("ReplicationConfiguration", document))
ET.indent(root, space="  ")
text = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
fromstring(text)
sys.stdout.write(text)
