# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Test doubles: an HTTP transport for the client, and a small BILLmanager for the logic.

``RecordingAdapter`` sits under a real ``requests.Session`` and answers from a
script, so the client's requests go through requests itself (form encoding,
verify and timeout arguments) without a network.

``FakeBillmanager`` has the ``call()`` of ``BillmanagerClient`` and keeps its
licenses in memory.  It answers in the shape ``call()`` returns (the plain
``doc``), including the quirks the real API has: a list of one license is an
object, an empty list has no ``elem``, list rows may show a tariff's name only.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import json

import requests
from requests.adapters import BaseAdapter

from ansible_collections.ispsystem.billmanager.plugins.module_utils._catalog import PRODUCT_BY_PRICELIST
from ansible_collections.ispsystem.billmanager.plugins.module_utils._client import BillmanagerClient
from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import BILLING, TIMEOUT, BillmanagerError
from ansible_collections.ispsystem.billmanager.plugins.module_utils._record import add_months
from ansible_collections.ispsystem.billmanager.plugins.module_utils._wire import is_write

TODAY = datetime.date(2026, 3, 10)
API_URL = 'https://billing.example.com/billmgr'


# -- HTTP --------------------------------------------------------------------

def response(body=None, status=200, reason='OK', raw=None):
    """A ``requests.Response``: ``body`` as JSON, or ``raw`` text as it is."""
    resp = requests.Response()
    resp.status_code = status
    resp.reason = reason
    resp._content = (raw if raw is not None else json.dumps(body)).encode('utf-8')
    resp.encoding = 'utf-8'
    return resp


def doc(**elements):
    """A ``{"doc": ...}`` JSON answer."""
    return response({'doc': elements})


def error_doc(err_type, msg, err_object=None, detail=None):
    error = {'$type': err_type, '$lang': 'en', 'msg': {'$': msg}}
    if err_object:
        error['$object'] = err_object
    if detail:
        error['detail'] = {'$': detail}
    return response({'doc': {'error': error}})


class RecordingAdapter(BaseAdapter):
    """A transport adapter that records each prepared request and answers from a script.

    Each answer is a Response, an exception to raise, or a callable taking the
    form fields and returning one of those.
    """

    def __init__(self, *answers):
        super(RecordingAdapter, self).__init__()
        self.answers = list(answers)
        self.requests = []
        self.kwargs = []

    @property
    def forms(self):
        """The form fields of every request, decoded."""
        from urllib.parse import parse_qs
        return [dict((k, v[0]) for k, v in parse_qs(r.body or '').items()) for r in self.requests]

    def send(self, request, **kwargs):
        self.requests.append(request)
        self.kwargs.append(kwargs)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if callable(answer) and not isinstance(answer, type):
            answer = answer(self.forms[-1])
        if isinstance(answer, BaseException):
            raise answer
        answer.request = request
        answer.url = request.url
        return answer

    def close(self):
        pass


def session_with(*answers):
    adapter = RecordingAdapter(*answers)
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would replace verify=True by a path
    session.mount('https://', adapter)
    session.mount('http://', adapter)
    return session, adapter


class Sleeps(list):
    """A ``sleep`` that records its arguments instead of sleeping."""

    def __call__(self, seconds):
        self.append(seconds)


class FakeClock:
    """``clock`` and ``sleep`` for the engine's wait loop: sleeping moves time on."""

    def __init__(self):
        self.time = 1000.0
        self.sleeps = []

    def now(self):
        return self.time

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.time += seconds


# -- a BILLmanager in memory -------------------------------------------------

def lost_answer(func):
    """The error of a write whose answer never came (as the client marks it)."""
    return BillmanagerError(func, TIMEOUT, 'no answer within 30 s', ambiguous=True)


def refusal(func, msg='refused', err_type='value', err_object=None):
    return BillmanagerError(func, BILLING, msg, err_type=err_type, err_object=err_object)


class FakeBillmanager:
    """Licenses in memory behind the ``call()`` of ``BillmanagerClient``.

    ``fail(func, error, after=False, skip=0)`` makes a call of ``func`` (the
    next one, or the one after ``skip`` more) raise ``error``: before doing
    anything, or (``after=True``) after doing it, the way a lost answer looks.
    A processing license turns active with a key after ``processing_reads``
    more reads of ``soft.edit``.
    """

    KNOWN_PRICELISTS = frozenset(PRODUCT_BY_PRICELIST) | frozenset([9001])

    def __init__(self, licenses=(), processing_reads=1, names_only=False):
        self.licenses = {}
        self.calls = []
        self.faults = []
        self.processing_reads = processing_reads
        self.names_only = names_only  # list rows show the tariff's name, no id
        self.next_id = 100
        self.keys = 0
        for lic in licenses:
            self.add(**lic)

    def add(self, ip, pricelist=3541, licname=None, status='2', expiredate='2026-06-01',
            autoprolong=None, lickey='auto', id=None, reads_left=None):
        ident = id if id is not None else self._new_id()
        self.licenses[ident] = dict(
            id=ident, ip=ip, pricelist=pricelist, licname=licname or ip, status=status,
            expiredate=expiredate, autoprolong=autoprolong,
            lickey=self._new_key() if lickey == 'auto' and status != '5' else (lickey or ''),
            reads_left=self.processing_reads if reads_left is None else reads_left)
        self.next_id = max(self.next_id, ident + 1)
        return ident

    def _new_id(self):
        self.next_id += 1
        return self.next_id - 1

    def _new_key(self):
        self.keys += 1
        return 'KEY-%04d' % self.keys

    def fail(self, func, error, after=False, skip=0):
        self.faults.append([func, error, after, skip])

    # what was sent
    def funcs(self):
        return [func for func, _params in self.calls]

    def writes(self):
        return [(func, params) for func, params in self.calls if is_write(func, params)]

    def call(self, func, params=None, write=None):
        params = dict(params or {})
        self.calls.append((func, params))
        fault = next((f for f in self.faults if f[0] == func), None)
        if fault and fault[3]:
            fault[3] -= 1
            fault = None
        elif fault:
            self.faults.remove(fault)
            if not fault[2]:
                raise fault[1]
        handler = getattr(self, 'func_' + func.replace('.', '_'), None)
        if handler is None:  # as the billing answers a function it does not have
            raise refusal(func, 'Function %s not found' % func, 'missed', 'func')
        answer = handler(params)
        if fault:
            raise fault[1]
        return answer

    # -- functions ---------------------------------------------------------

    def _owned(self, params):
        lic = self.licenses.get(int(params['elid']))
        if lic is None:
            raise refusal('soft.edit', 'no such license', 'missed', 'elid')
        return lic

    def _taken(self, ip, pricelist, exclude=None):
        return any(lic['ip'] == ip and lic['pricelist'] == pricelist and lic['status'] != '4'
                   and lic['id'] != exclude for lic in self.licenses.values())

    def func_soft(self, params):
        rows = []
        for lic in sorted(self.licenses.values(), key=lambda lic: lic['id']):
            rows.append(dict(
                id=str(lic['id']), licname=lic['licname'], ip=lic['ip'],
                pricelist=('Tariff %s' % lic['pricelist']) if self.names_only else str(lic['pricelist']),
                expiredate=lic['expiredate'], autoprolong=str(lic['autoprolong'] or 'null'),
                status=lic['status']))
        if not rows:
            return {}
        return {'elem': rows[0] if len(rows) == 1 else rows}

    def func_soft_edit(self, params):
        lic = self._owned(params)
        if params.get('sok') != 'ok':
            if lic['status'] == '5':
                lic['reads_left'] -= 1
                if lic['reads_left'] < 0:
                    lic['status'], lic['lickey'] = '2', self._new_key()
            return dict(elid=str(lic['id']), licname=lic['licname'], ip=lic['ip'],
                        pricelist=str(lic['pricelist']), status=lic['status'],
                        expiredate=lic['expiredate'], autoprolong=str(lic['autoprolong'] or 'null'),
                        lickey=lic['lickey'])
        if params.get('clicked_button') == 'newkey':
            lic['lickey'] = self._new_key()
            return {'ok': '', 'lickey': lic['lickey']}
        ip = params.get('ip') or lic['ip']
        if self._taken(ip, lic['pricelist'], exclude=lic['id']):
            raise refusal('soft.edit', 'IP %s already has this license' % ip, 'exists', 'ip')
        lic['ip'], lic['licname'] = ip, params.get('licname') or lic['licname']
        if 'autoprolong' in params:
            lic['autoprolong'] = None if params['autoprolong'] in ('null', '', None) else int(params['autoprolong'])
        return {'ok': ''}

    def func_soft_order_param(self, params):
        pricelist, ip = int(params['pricelist']), params['ip']
        if pricelist not in self.KNOWN_PRICELISTS:
            raise refusal('soft.order.param', 'unknown tariff', 'value', 'pricelist')
        if self._taken(ip, pricelist):
            raise refusal('soft.order.param', 'IP %s already has this license' % ip, 'exists', 'ip')
        paid = params.get('skipbasket') == 'on'
        period = int(params.get('period', 1))
        autoprolong = params.get('autoprolong')
        ident = self.add(ip=ip, pricelist=pricelist, licname=params.get('licname'),
                         status='5' if paid else '1', lickey='',
                         autoprolong=None if autoprolong in (None, 'null') else int(autoprolong),
                         expiredate=(add_months(TODAY, period) if paid else TODAY).isoformat())
        return {'id': str(ident)}

    def func_soft_checkip(self, params):
        if int(params['pricelist']) not in self.KNOWN_PRICELISTS:
            raise refusal('soft.checkip', 'unknown tariff', 'value', 'pricelist')
        if self._taken(params['ip'], int(params['pricelist'])):
            raise refusal('soft.checkip', 'IP %s already has this license' % params['ip'], 'exists', 'ip')
        return {'ok': ''}

    def func_service_prolong(self, params):
        lic = self._owned(params)
        if lic['status'] == '3':
            start = TODAY
            lic['status'] = '2'
        else:
            start = datetime.datetime.strptime(lic['expiredate'], '%Y-%m-%d').date()
        lic['expiredate'] = add_months(start, int(params.get('period', 1))).isoformat()
        return {'newexpiredate': lic['expiredate']}

    def func_soft_suspend(self, params):
        self._owned(params)['status'] = '3'
        return {'ok': ''}

    def func_soft_resume(self, params):
        lic = self._owned(params)
        if lic['status'] == '3':
            lic['status'] = '2'
        return {'ok': ''}

    def func_soft_delete(self, params):
        lic = self._owned(params)
        lic['status'], lic['lickey'] = '4', ''
        return {'ok': ''}


PASSWORD = 'p@ss w:rd/S\u00ebcret'  # every character a URL or form encoding may change


def scripted_client(*answers, **kwargs):
    """A real client over a scripted transport; returns (client, adapter, sleeps)."""
    session, adapter = session_with(*answers)
    sleeps = Sleeps()
    kwargs.setdefault('retries', 3)
    return BillmanagerClient(API_URL, 'reseller', PASSWORD, http=session, sleep=sleeps, **kwargs), adapter, sleeps
