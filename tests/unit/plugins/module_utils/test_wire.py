# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The wire format: the "$" convention, error elements, answer bodies, writes."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.ispsystem.billmanager.plugins.module_utils import _wire
from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import BillmanagerError


# -- the "$" convention ----------------------------------------------------------

@pytest.mark.parametrize('node, items', [
    ([{'a': 1}, {'a': 2}], [{'a': 1}, {'a': 2}]), ({'a': 1}, [{'a': 1}]), (None, []), ('', [])])
def test_as_list_accepts_array_single_object_and_missing(node, items):
    assert _wire.as_list(node) == items


def test_cell_helpers():
    cell = {'$orig': '2', '$': 'Active', '$lang': 'en'}
    assert _wire.cell_text(cell) == 'Active' and _wire.cell_value(cell) == '2'
    assert _wire.cell_text({'$': 'x'}) == 'x' == _wire.cell_value({'$': 'x'})
    assert _wire.cell_text({}) == '' and _wire.cell_text(None) == '' and _wire.cell_text('raw') == 'raw'
    assert _wire.attributes(cell) == {'lang': 'en'}
    assert _wire.attributes('raw') == {}


def test_decode_doc_turns_a_document_into_python():
    answer = {'elem': [{'id': {'$': '1'}, 'status': {'$orig': '2', '$': 'Active'}},
                       {'id': {'$': '2'}, 'note': {}}],
              'auth': {'$id': 'S', '$': 'S'},
              'tparams': {'$level': '3', 'func': {'$': 'soft'}}}
    assert _wire.decode_doc(answer) == {'elem': [{'id': '1', 'status': '2'}, {'id': '2', 'note': ''}],
                                        'auth': 'S', 'tparams': {'func': 'soft', 'level': '3'}}


def test_the_former_names_still_work():
    assert _wire.plain is _wire.decode_doc and _wire.parse_error is _wire.error_from_element


# -- error elements and bodies ---------------------------------------------------------

def test_error_without_message_uses_detail_or_says_so():
    assert _wire.error_from_element('f', {'detail': {'$': 'why'}}).message == 'why'
    assert _wire.error_from_element('f', {}).message == 'error without a message'


def test_an_auth_error_element_is_kind_auth():
    error = _wire.error_from_element('soft', {'$type': 'auth', '$object': 'badpassword', 'msg': {'$': 'No'}})
    assert (error.kind, error.err_type, error.err_object, error.message) == ('auth', 'auth', 'badpassword', 'No')


def test_decode_answer_returns_the_plain_doc():
    body = json.dumps({'doc': {'elem': {'id': {'$': '9'}, 'pricelist': {'$orig': '3541', '$': 'Lite'}}}})
    assert _wire.decode_answer('soft', body) == {'elem': {'id': '9', 'pricelist': '3541'}}
    assert _wire.decode_answer('soft', '{"doc": {}}') == {}
    assert _wire.decode_answer('soft', body.encode('utf-16')) == {'elem': {'id': '9', 'pricelist': '3541'}}
    assert _wire.decode_answer('soft', '{"doc": {"licname": {"$": "Sëcret"}}}'.encode('utf-8')) == {'licname': 'Sëcret'}


@pytest.mark.parametrize('body, cut_short', [
    ('{"doc": {"elem": [', True), ('<html>login</html>', False), ('', False), ('[1, 2]', False), ('{"doc": 1}', False)])
@pytest.mark.parametrize('as_bytes', [False, True])
def test_decode_answer_refuses_what_is_not_billmanager_json(body, cut_short, as_bytes):
    with pytest.raises(BillmanagerError) as info:
        _wire.decode_answer('soft', body.encode('utf-8') if as_bytes else body, 200)
    assert info.value.kind == 'format' and info.value.cut_short is cut_short and info.value.status == 200
    if not cut_short:
        assert 'is api_url right?' in info.value.message and 'BILLMANAGER_URL' in info.value.message


def test_decode_answer_raises_the_error_element():
    with pytest.raises(BillmanagerError) as info:
        _wire.decode_answer('soft', json.dumps({'doc': {'error': {'$type': 'value', 'msg': {'$': 'bad'}}}}))
    assert (info.value.kind, info.value.err_type, info.value.message) == ('billing', 'value', 'bad')


@pytest.mark.parametrize('body, html', [('<!DOCTYPE html><html>', True), ('  <html><body>x', True),
                                        ('<?xml version="1.0"?><doc/>', False), ('Not Found', False), ('', False)])
def test_looks_like_html(body, html):
    assert _wire.looks_like_html(body) is html


# -- writes --------------------------------------------------------------------------------

@pytest.mark.parametrize('func, params', [
    ('soft.order.param', {'pricelist': 3541}), ('soft.suspend', {'elid': 1}), ('soft.resume', {'elid': 1}),
    ('soft.delete', {'elid': 1}), ('service.prolong', {'elid': 1}), ('service.changepricelist', {'elid': 1}),
    ('soft.edit', {'elid': 1, 'sok': 'ok'}), ('soft.edit', {'elid': 1, 'clicked_button': 'newkey', 'sok': 'ok'}),
])
def test_writes(func, params):
    assert _wire.is_write(func, params)


def test_reads_are_not_writes():
    assert not _wire.is_write('soft', {})
    assert not _wire.is_write('soft.edit', {'elid': 1})
    assert not _wire.is_write('soft.checkip', {'ip': '10.0.0.1'})
