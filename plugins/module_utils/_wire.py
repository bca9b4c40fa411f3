# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""BILLmanager's wire format: the "$" convention of ``out=json``, error elements, writes.

Nothing here sends anything; ``_client`` does.

Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import AUTH, BILLING, BillmanagerError


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


def text(node):
    """The display text of an element (``$``), '' for an empty element."""
    if isinstance(node, dict):
        return node.get('$', '')
    return '' if node is None else node


def value(node):
    """The machine value of an element: ``$orig`` for a localized cell, else its text."""
    if isinstance(node, dict) and '$orig' in node:
        return node['$orig']
    return text(node)


def attributes(node):
    """The XML attributes of an element, without their ``$`` prefix."""
    if not isinstance(node, dict):
        return {}
    return dict((k[1:], v) for k, v in node.items()
                if k.startswith('$') and k not in ('$', '$orig'))


def plain(node):
    """Turn a ``$``-convention node into plain Python.

    A leaf becomes its machine value (``$orig`` before ``$``), an element with
    children a dict of its children plus its attributes, a list a list.
    One pass over each dict: a list of 10,000 licenses is 100,000 cells.
    """
    if isinstance(node, list):
        return [plain(item) for item in node]
    if not isinstance(node, dict):
        return node
    children = None
    for key, item in node.items():
        if key[:1] != '$':
            if children is None:
                children = {}
            children[key] = plain(item)
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


def parse_error(func, error):
    """Build the exception for a ``doc.error`` element."""
    attrs = attributes(error)
    err_type = attrs.get('type')
    message = text(error.get('msg')) if isinstance(error, dict) else ''
    detail = text(error.get('detail')) if isinstance(error, dict) else ''
    if not message:
        message = detail or 'error without a message'
    elif detail and detail != message:
        message = '%s (%s)' % (message, detail)
    kind = AUTH if err_type == 'auth' else BILLING
    return BillmanagerError(func, kind, message, err_type=err_type,
                            err_object=attrs.get('object'))


def snippet(body, limit=200):
    body = ' '.join((body or '').split())
    return body[:limit] + ('...' if len(body) > limit else '')
