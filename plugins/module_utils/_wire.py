# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""BILLmanager's wire format: the body of an answer, the "$" convention of ``out=json``,
error elements, and which calls are writes.

Nothing here sends anything (``_client`` does) or knows about HTTP statuses.

Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import AUTH, BILLING, FORMAT, BillmanagerError


# Functions that change something even without ``sok=ok``.  BILLmanager's
# suspend and resume commit without it (ISPsystem's own WHMCS module sends
# none), so "has sok=ok" alone does not tell a write from a read.
WRITE_FUNCTIONS = frozenset(
    ['%s.%s' % (family, operation) for family in ('soft', 'platform', 'softexternal')
     for operation in ('order.param', 'suspend', 'resume', 'delete')]
    + ['service.prolong', 'service.changepricelist'])


def is_write(func, params=None):
    """Return True when a call with these parameters changes something."""
    if func in WRITE_FUNCTIONS:
        return True
    return (params or {}).get('sok') == 'ok'


# -- the "$" convention of out=json -----------------------------------------

def as_list(node):
    """A list element that may come as an array, a single object, or not at all.

    BILLmanager turns XML into JSON element by element, so a list of one is an
    object and an empty list has no key.
    """
    if node is None or node == '':
        return []
    if isinstance(node, list):
        return node
    return [node]


def cell_text(node):
    """The display text of an element (``$``), '' for an empty element."""
    if isinstance(node, dict):
        return node.get('$', '')
    return '' if node is None else node


def cell_value(node):
    """The machine value of an element: ``$orig`` for a localized cell, else its text."""
    if isinstance(node, dict) and '$orig' in node:
        return node['$orig']
    return cell_text(node)


def attributes(node):
    """The XML attributes of an element, without their ``$`` prefix."""
    if not isinstance(node, dict):
        return {}
    return dict((k[1:], v) for k, v in node.items()
                if k.startswith('$') and k not in ('$', '$orig'))


def decode_doc(node):
    """Turn a ``$``-convention node into plain Python.

    A leaf becomes its machine value (``$orig`` before ``$``), an element with
    children a dict of its children plus its attributes, a list a list.
    One pass over each dict: a list of 10,000 licenses is 100,000 cells.
    """
    if isinstance(node, list):
        return [decode_doc(item) for item in node]
    if not isinstance(node, dict):
        return node
    children = None
    for key, item in node.items():
        if key[:1] != '$':
            if children is None:
                children = {}
            children[key] = decode_doc(item)
    if children is None:
        if '$orig' in node:
            return node['$orig']
        if '$' in node:
            return node['$']
        return attributes(node) or ''  # an empty element, or one with attributes only
    for key, item in node.items():
        if key[:1] == '$' and key not in ('$', '$orig'):
            children.setdefault(key[1:], item)
    return children


plain = decode_doc  # the former name, kept for the callers that still use it


def error_from_element(func, error):
    """Build the exception for a ``doc.error`` element."""
    attrs = attributes(error)
    err_type = attrs.get('type')
    message = cell_text(error.get('msg')) if isinstance(error, dict) else ''
    detail = cell_text(error.get('detail')) if isinstance(error, dict) else ''
    if not message:
        message = detail or 'error without a message'
    elif detail and detail != message:
        message = '%s (%s)' % (message, detail)
    kind = AUTH if err_type == 'auth' else BILLING
    return BillmanagerError(func, kind, message, err_type=err_type,
                            err_object=attrs.get('object'))


parse_error = error_from_element  # the former name


# -- an answer's body ------------------------------------------------------------

NOT_BILLMANAGER_HINT = 'is api_url right? It is the option api_url, or BILLMANAGER_URL'


def decode_answer(func, body, status=None):
    """The ``doc`` of an ``out=json`` answer's body (bytes or text) as plain Python.

    Raises the billing system's error for an ``error`` element, and a FORMAT
    error for a body that is not BILLmanager JSON; such an error has
    ``cut_short`` set when the JSON broke off on its way (a transient fault).
    Bytes are parsed as they are (json detects UTF-8/16/32): no charset
    guessing over a list of 10,000 licenses.
    """
    try:
        answer = json.loads(body)
    except ValueError:
        text = body.decode('utf-8', 'replace') if isinstance(body, bytes) else body
        if text.lstrip().startswith('{'):
            # JSON that does not parse came from the billing system but broke off on
            # its way (a proxy, the network): as transient as a reset connection.
            error = BillmanagerError(func, FORMAT, 'the answer is incomplete JSON (cut short on its way?): %s'
                                     % snippet(text), status=status)
            error.cut_short = True
            raise error
        raise BillmanagerError(func, FORMAT, 'the answer is not BILLmanager JSON (%s): %s'
                               % (NOT_BILLMANAGER_HINT, snippet(text) or 'empty body'), status=status)
    doc = answer.get('doc') if isinstance(answer, dict) else None
    if not isinstance(doc, dict):
        text = body.decode('utf-8', 'replace') if isinstance(body, bytes) else body
        raise BillmanagerError(func, FORMAT, 'the answer has no "doc" element (%s): %s'
                               % (NOT_BILLMANAGER_HINT, snippet(text)), status=status)
    if 'error' in doc:
        raise error_from_element(func, doc['error'])
    result = decode_doc(doc)
    # An answer without children (no licenses: not even an ``elem``) is
    # a leaf to decode_doc(); the caller wants an empty doc.
    return result if isinstance(result, dict) else {}


def looks_like_html(body):
    """True for a body that is an HTML page (a login page, a web server's 404)."""
    start = (body or '').lstrip()[:200].lower()
    return start.startswith('<!doctype html') or start.startswith('<html') or '<body' in start


def snippet(body, limit=200):
    """The start of a body on one line, for a message."""
    body = ' '.join((body or '').split())
    return body[:limit] + ('...' if len(body) > limit else '')
