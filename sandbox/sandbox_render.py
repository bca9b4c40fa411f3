# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One answer, four output formats (``out=xml|json|sjson|bjson``).

Every API function builds one answer tree: ``{"doc": {...}}`` in the ``$``
convention of ``out=json`` (element text under ``"$"``, attributes as
``"$name"``, child elements as keys, a list for a repeated element).  That
convention maps one to one onto BILLmanager's XML, so this module renders the
same tree in every format and no function has per-format code.

``Doc`` marks what kind of document a function answered (``form``: an
``.edit`` read; ``list``: a list function), which only ``bjson`` needs, and
caches renderings (the 10,000-license list is rendered once per change).
"""

import json
from xml.sax.saxutils import escape, quoteattr

FORMATS = ("xml", "json", "sjson", "bjson")
DEFAULT_FORMAT = "json"  # no ``out`` at all: what the sandbox has always answered
CONTENT_TYPES = {
    "xml": "text/xml; charset=UTF-8",
    "json": "application/json",
    "sjson": "application/json",
    "bjson": "application/json",
}
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


class Doc(dict):
    """The content of ``doc``; ``kind`` is ``form``, ``list`` or None; ``rendered`` caches bytes per format."""

    def __init__(self, *args, kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.rendered = {}


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, check_circular=False)


def render(answer, out):
    """``(body bytes, content type)`` of ``answer`` (``{"doc": ...}``) in format ``out`` (one of FORMATS)."""
    doc = answer.get("doc")
    cache = getattr(doc, "rendered", None)
    if cache is not None and out in cache:
        return cache[out], CONTENT_TYPES[out]
    body = RENDERERS[out](answer).encode("utf-8")
    if cache is not None:
        cache[out] = body
    return body, CONTENT_TYPES[out]


# --- xml ----------------------------------------------------------------------------

def _xml(name, value, out):
    if isinstance(value, list):
        for item in value:
            _xml(name, item, out)
        return
    if not isinstance(value, dict):
        value = {"$": value}
    attrs = "".join(" %s=%s" % (key[1:], quoteattr(str(val)))
                    for key, val in value.items() if key[:1] == "$" and key != "$")
    text = value.get("$")
    children = [(key, val) for key, val in value.items() if key[:1] != "$"]
    if (text is None or text == "") and not children:
        out.append("<%s%s/>" % (name, attrs))
        return
    out.append("<%s%s>" % (name, attrs))
    if text is not None:
        out.append(escape(str(text)))
    for key, val in children:
        _xml(key, val, out)
    out.append("</%s>" % name)


def render_xml(answer):
    """``<?xml ...?><doc>...</doc>``: the format of every documented example."""
    out = [XML_DECLARATION]
    _xml("doc", answer["doc"], out)
    out.append("\n")
    return "".join(out)


# --- sjson ----------------------------------------------------------------------------

def _simple(value):
    """An element without attributes and children is its text as a plain string ("" when empty)."""
    if isinstance(value, list):
        return [_simple(item) for item in value]
    if not isinstance(value, dict):
        return str(value)
    if all(key == "$" for key in value):
        return str(value.get("$", ""))
    return {key: (val if key[:1] == "$" else _simple(val)) for key, val in value.items()}


def render_sjson(answer):
    return dumps({"doc": _simple(answer["doc"])})


# --- bjson ------------------------------------------------------------------------------

def _b(value):
    """Text under ``"v"``, attributes by their plain names, children by name."""
    if isinstance(value, list):
        return [_b(item) for item in value]
    if not isinstance(value, dict):
        return {"v": str(value)}
    out = {}
    for key, val in value.items():
        if key == "$":
            out["v"] = str(val)
        elif key[:1] == "$":
            out[key[1:]] = str(val)
        else:
            out[key] = _b(val)
    return out


def render_bjson(answer):
    """The shape Upmind's provider reads: no ``doc`` wrapper, ``id.v``, ``model.*``, ``error.msg``."""
    doc = answer["doc"]
    if "error" in doc:
        err = doc["error"]
        params = {param.get("$name"): param.get("$", "") for param in err.get("param", [])}
        return dumps({"error": {"type": err.get("$type"), "object": err.get("$object"),
                                "lang": err.get("$lang", "en"), "msg": err.get("msg", {}).get("$", ""),
                                "value": params.get("value", "")}})
    kind = getattr(doc, "kind", None)
    if kind == "form":
        return dumps({"model": {key: val.get("$", "") for key, val in doc.items() if isinstance(val, dict)}})
    out = {key: _b(val) for key, val in doc.items()}
    if kind == "list":  # always an array here, even for one row or none
        rows = out.get("elem", [])
        rest = {key: val for key, val in out.items() if key != "elem"}
        out = dict({"elem": rows if isinstance(rows, list) else [rows]}, **rest)
    return dumps(out)


RENDERERS = {"xml": render_xml, "json": dumps, "sjson": render_sjson, "bjson": render_bjson}
