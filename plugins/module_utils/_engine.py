# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The desired-state engine of ``isp_license``: one license brought to the state the options describe.

Options and a client in, a result out: ``changed``, ``actions``, the
``license`` record after the change and the ``diff``.  Check mode is a flag
of the engine: it plans exactly as a real run does and predicts the record
instead of sending the writes.

Money rules: a write is sent once.  When its answer is lost (``ambiguous``),
the engine reads the license (or the list, for an order) again and goes on
only if the change is there; it never sends the write a second time.


Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import time

from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import BillmanagerError, LicenseError
from ansible_collections.ispsystem.billmanager.plugins.module_utils._catalog import PRODUCT_BY_PRICELIST, resolve_pricelist
from ansible_collections.ispsystem.billmanager.plugins.module_utils._identity import find_license, same_ip
from ansible_collections.ispsystem.billmanager.plugins.module_utils._input import check_ids, check_not_negative, normalize_ip, order_addons
from ansible_collections.ispsystem.billmanager.plugins.module_utils._listing import list_licenses, read_license
from ansible_collections.ispsystem.billmanager.plugins.module_utils._record import add_months, days_left, make_record, parse_date


class LicenseState:
    """Bring one license to the state that ``params`` describe."""

    def __init__(self, client, params, check_mode=False, today=None,
                 sleep=time.sleep, clock=time.monotonic):
        self.client = client
        self.params = dict(params)
        self.check_mode = check_mode
        self.today = today or datetime.date.today()
        self.sleep = sleep
        self.clock = clock
        self.actions = []
        self.warnings = []
        self.record = None

    # -- input -------------------------------------------------------------

    def validate(self):
        """Fail on bad input before any call to the API."""
        params = self.params
        if params.get('ip') is not None:
            params['ip'] = normalize_ip('ip', params['ip'])
        check_ids(params, 'id', 'pricelist')
        check_not_negative(params, 'renew_within_days', 'wait_timeout')
        self.pricelist = resolve_pricelist(params)
        self.addons = order_addons(params, self.pricelist)
        if params.get('licname') is not None:
            # The billing system trims the name it stores: compare and send it trimmed, or a
            # name with a stray space never matches and every run orders again.
            params['licname'] = params['licname'].strip()
            if params['licname'] == '':
                raise LicenseError("licname: '' is empty; leave it out or give a name")

    # -- plan --------------------------------------------------------------

    def plan(self, current):
        """The actions that bring ``current`` (a record or None) to the desired state."""
        params, state = self.params, self.params.get('state', 'present')
        if current is None:
            if state == 'absent':
                return []
            if state == 'suspended':
                raise LicenseError('no license matches %s; state=suspended needs an existing license'
                                   % self._identity())
            if params.get('id') is not None:
                raise LicenseError('no license has id=%s; a license with a chosen id cannot be '
                                   'ordered: leave id out to order one' % params['id'])
            if not params.get('ip') or self.pricelist is None:
                raise LicenseError('no license matches %s; to order one, give ip and product '
                                   'or pricelist' % self._identity())
            return ['order']
        if state == 'absent':
            return ['delete']
        if self.pricelist is not None and current['pricelist'] not in (None, self.pricelist):
            raise LicenseError(
                "license %s has pricelist %s (%s), not %s; isp_license does not change a "
                "license's tariff: delete it and order anew, or leave product/pricelist out"
                % (current['id'], current['pricelist'], current['product'] or 'not in the catalog',
                   self.pricelist), license=current)
        actions = []
        if self._edit_fields(current):
            actions.append('edit')
        if state == 'suspended':
            return actions + ([] if current['status'] == 'suspended' else ['suspend'])
        if current['status'] == 'suspended':
            actions.append('resume')
        window = params.get('renew_within_days')
        left = days_left(current, self.today)
        if window is not None and left is not None and left <= window and current['status'] != 'ordered':
            actions.append('renew')
        if params.get('regenerate_key'):
            actions.append('newkey')
        return actions

    def _identity(self):
        for option in ('id', 'licname', 'ip'):
            if self.params.get(option) not in (None, ''):
                return "%s='%s'" % (option, self.params[option])
        return 'the options'  # pragma: no cover - required_one_of

    def _edit_fields(self, current):
        """The ``soft.edit`` fields that differ from ``current``, empty when none do."""
        changes = {}
        if self.params.get('ip') and not same_ip(current['ip'], self.params['ip']):
            changes['ip'] = self.params['ip']
        if self.params.get('licname') and current['licname'] != self.params['licname']:
            changes['licname'] = self.params['licname']
        return changes

    # -- predictions (check mode, and the record an action is known to leave) --

    def predict(self, record, action):
        after = dict(record or {})
        if action == 'order':
            paid = self.params.get('skipbasket', True)
            # An order left in the cart is not paid: its end date is the order date.
            end = add_months(self.today, self.params.get('period', 1)) if paid else self.today
            after = make_record({
                'licname': self.params.get('licname') or self.params['ip'],
                'ip': self.params['ip'], 'pricelist': self.pricelist,
                'status': '5' if paid else '1',
                'expiredate': end.isoformat(),
                'autoprolong': self.params.get('autoprolong') or '',
            })
        elif action == 'edit':
            after.update(self._edit_fields(record))
        elif action in ('resume', 'suspend', 'delete'):
            after['status'] = {'resume': 'active', 'suspend': 'suspended', 'delete': 'deleted'}[action]
            if action == 'delete':
                after['key'] = None
        elif action == 'renew':
            end = parse_date(record.get('expiredate'))
            base = self.today
            if end and record.get('status') in ('active', 'processing'):
                base = datetime.datetime.strptime(end, '%Y-%m-%d').date()
            after['expiredate'] = add_months(base, self.params.get('period', 1)).isoformat()
            after['status'] = 'active' if record.get('status') == 'suspended' else record.get('status')
        elif action == 'newkey':
            after['key'] = None  # not known before the billing system makes it
        after['product'] = PRODUCT_BY_PRICELIST.get(after.get('pricelist'))
        return after

    # -- run ---------------------------------------------------------------

    def run(self):
        self.validate()
        state = self.params.get('state', 'present')
        records = list_licenses(self.client)
        current = find_license(self.client, records, self.params)
        if current is not None and state != 'absent':
            current = read_license(self.client, current)  # the key and the exact status
        planned = self.plan(current)
        record = current
        for action in planned:
            if self.check_mode:
                record = self.predict(record, action)
            else:
                record = self._perform(action, record, records)
            self.actions.append(action)
        if not self.check_mode and planned and state != 'absent':
            record = self._read(record)
        if state == 'present' and record is not None and self.params.get('wait', True):
            record = self._wait(record)
        return self._result(current, record)

    def _result(self, before, after):
        return dict(
            changed=bool(self.actions),
            actions=list(self.actions),
            license=after,
            diff=dict(before=before or {}, after=after or {}),
            warnings=list(self.warnings),
        )

    def _fail(self, msg, record, **extra):
        return LicenseError(msg, changed=bool(self.actions), actions=list(self.actions),
                            license=record, **extra)

    def _read(self, record):
        try:
            return read_license(self.client, record)
        except BillmanagerError as exc:
            raise self._fail('%s; the license was changed before this read failed' % exc,
                             record, api_error=exc.to_dict())

    def _wait(self, record):
        """Wait until a processing license is active and has its key."""
        if record['status'] == 'ordered':
            self.warnings.append('license %s is in the cart awaiting payment (skipbasket=false); '
                                 'not waiting for it' % (record['id'] or record['licname']))
            return record
        if self.check_mode:
            if record['status'] == 'processing':
                record = dict(record, status='active')
            return record
        deadline = self.clock() + self.params.get('wait_timeout', 300)
        delay = 0.25
        while record['status'] == 'processing' or (record['status'] == 'active' and not record['key']):
            if self.clock() + delay > deadline:
                raise self._fail('license %s is still %s after wait_timeout=%s s; billing goes on '
                                 'by itself: run the task again to wait for it'
                                 % (record['id'], record['status'], self.params.get('wait_timeout', 300)),
                                 record)
            self.sleep(delay)
            delay = min(delay * 2, 5.0)
            record = self._read(record)
        return record

    # -- writes --------------------------------------------------------------

    def _perform(self, action, record, records):
        if action == 'order':
            return self._order(records)
        elid = record['id']
        if action == 'edit':
            fields = dict(licname=record['licname'], ip=record['ip'])
            fields.update(self._edit_fields(record))
            return self._write(action, 'soft.edit', dict(fields, elid=elid, sok='ok'), record,
                               lambda now: same_ip(now['ip'], fields['ip']) and now['licname'] == fields['licname'])
        if action == 'suspend':
            return self._write(action, 'soft.suspend', {'elid': elid}, record,
                               lambda now: now['status'] == 'suspended')
        if action == 'resume':
            return self._write(action, 'soft.resume', {'elid': elid}, record,
                               lambda now: now['status'] in ('active', 'processing'))
        if action == 'delete':
            return self._write(action, 'soft.delete', {'elid': elid, 'sok': 'ok'}, record,
                               lambda now: now['status'] == 'deleted')
        if action == 'renew':
            return self._write(action, 'service.prolong',
                               {'elid': elid, 'period': self.params.get('period', 1), 'sok': 'ok'}, record,
                               lambda now: now['expiredate'] != record['expiredate'])
        if action == 'newkey':
            return self._write(action, 'soft.edit', {'elid': elid, 'clicked_button': 'newkey', 'sok': 'ok'},
                               record, lambda now: now['key'] != record['key'])
        raise AssertionError('unknown action %s' % action)  # pragma: no cover

    def _write(self, action, func, fields, record, took_effect):
        """Send one write; after a lost answer, re-read and go on only if it took effect."""
        try:
            self.client.call(func, fields, write=True)
        except BillmanagerError as exc:
            if not exc.ambiguous:
                raise self._fail(str(exc), record, api_error=exc.to_dict())
            try:
                now = read_license(self.client, record)
            except BillmanagerError as again:
                raise self._fail('%s; its outcome is unknown, and reading license %s failed too (%s). '
                                 'Nothing was sent again: check the license before running again'
                                 % (exc, record['id'], again.message), record, api_error=exc.to_dict())
            if not took_effect(now):
                raise self._fail('%s; license %s shows that it did not take effect. Nothing was sent '
                                 'again: run the task again' % (exc, record['id']), now,
                                 api_error=exc.to_dict())
            self.warnings.append('the answer to %s was lost (%s), but license %s shows that it took '
                                 'effect' % (func, exc.message, record['id']))
            return now
        return self.predict(record, action)

    def _order(self, records):
        params = self.params
        fields = dict(pricelist=self.pricelist, period=params.get('period', 1), ip=params['ip'],
                      licname=params.get('licname') or params['ip'], clicked_button='finish', sok='ok')
        if params.get('skipbasket', True):
            fields['skipbasket'] = 'on'
        if params.get('autoprolong') is not None:
            fields['autoprolong'] = params['autoprolong'] or 'null'  # 'null' is how it is turned off
        for addon, amount in sorted(self.addons.items()):
            fields['addon_%s' % addon] = amount
        try:
            doc = self.client.call('soft.order.param', fields, write=True)
        except BillmanagerError as exc:
            if not exc.ambiguous:
                raise self._fail(str(exc), None, api_error=exc.to_dict())
            return self._adopt_lost_order(exc, records)
        ident = doc.get('id') or doc.get('elid')
        if not str(ident).isdigit():
            raise self._fail('soft.order.param answered without the new license id; it may have '
                             'been ordered: check the license list before running again', None)
        return dict(self.predict(None, 'order'), id=int(ident))

    def _adopt_lost_order(self, exc, records):
        """The order's answer was lost: find the license it created, if any."""
        known = set(r['id'] for r in records)
        try:
            fresh = list_licenses(self.client)
        except BillmanagerError as again:
            raise self._fail('%s; the order may have gone through, and listing licenses to find out '
                             'failed too (%s). Check the license list before running again'
                             % (exc, again.message), None, api_error=exc.to_dict())
        created = [r for r in fresh if r['id'] not in known and r['status'] != 'deleted'
                   and same_ip(r['ip'], self.params['ip'])]
        try:
            created = [r for r in created if (r['pricelist'] if r['pricelist'] is not None
                                              else read_license(self.client, r)['pricelist']) == self.pricelist]
        except BillmanagerError as again:
            raise self._fail('%s; the order may have gone through (new licenses on %s: ids %s), and '
                             'reading them failed (%s). Check them before running again'
                             % (exc, self.params['ip'], ', '.join(str(r['id']) for r in created),
                                again.message), None, api_error=exc.to_dict())
        if not created:
            raise self._fail('%s; no new license for %s appeared, so no license was ordered. '
                             'Nothing was sent again: run the task again' % (exc, self.params['ip']),
                             None, api_error=exc.to_dict())
        if len(created) > 1:
            raise self._fail('%s; then %d new licenses for %s appeared (ids %s); adopt one with id'
                             % (exc, len(created), self.params['ip'],
                                ', '.join(str(r['id']) for r in created)), None, api_error=exc.to_dict())
        self.warnings.append('the answer to soft.order.param was lost (%s); adopted license %s, '
                             'which that order created' % (exc.message, created[0]['id']))
        return created[0]
