# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The actions of ``isp_license``: one row each, read by the engine's one generic loop.

A row says in which states the action may be planned, when it applies to
the license as it stands, the write it sends (an API function of the
license's family and its fields), the record it leaves (what check mode
shows, and what a real run assumes until its read-back), and how a re-read
shows that it took effect when the write's answer was lost.  ``order`` is
the one action that creates a license; its lost answer is resolved by
looking for the new license (the engine's ``resolve_lost_order``).

Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
from collections import namedtuple

from ansible_collections.ispsystem.billmanager.plugins.module_utils._catalog import FAMILIES, product_name
from ansible_collections.ispsystem.billmanager.plugins.module_utils._record import (
    PARKING_IP,
    PARKING_NAME,
    add_months,
    days_left,
    make_record,
    parse_date,
)

# states: where the action may be planned; applies(engine, record) -> bool;
# write(engine, record) -> (operation of the family, fields);
# predict(engine, record) -> record after; took_effect(engine, before, now) -> bool.
Action = namedtuple('Action', 'name states applies write predict took_effect')


def _func(record, operation):
    return FAMILIES[record['family']].functions[operation]


def _same_ip(left, right):
    # Imported late: _identity imports the listing, which imports nothing of this file.
    from ansible_collections.ispsystem.billmanager.plugins.module_utils._identity import same_ip
    return same_ip(left, right)


# -- edit: the name, the IP and auto-renewal ----------------------------------------

def edit_changes(engine, record):
    """The ``.edit`` fields that differ from ``record``, empty when none do."""
    params, changes = engine.params, {}
    if FAMILIES[record['family']].ip_bound and params.get('ip') and not _same_ip(record['ip'], params['ip']):
        changes['ip'] = params['ip']
    if params.get('licname') and record['licname'] != params['licname']:
        changes['licname'] = params['licname']
    wanted = params.get('autoprolong')
    if wanted is not None and (wanted or None) != record.get('autoprolong'):
        changes['autoprolong'] = wanted or None
    return changes


def _edit_fields(record, changes):
    family = FAMILIES[record['family']]
    fields = {'elid': record['id'], 'sok': 'ok', family.name_field: changes.get('licname', record['licname'])}
    if family.ip_bound:
        fields['ip'] = changes.get('ip', record['ip'])
    if 'autoprolong' in changes:
        fields['autoprolong'] = changes['autoprolong'] or 'null'  # 'null' is how it is turned off
    return fields


def _edit_write(engine, record):
    return _func(record, 'edit'), _edit_fields(record, edit_changes(engine, record))


def _edit_predict(engine, record):
    return dict(record, **edit_changes(engine, record))


def _edit_took_effect(engine, before, now):
    return not edit_changes(engine, now)


# -- reuse: a parked license moved to the desired IP and name --------------------------

def _reuse_target(engine, record):
    return dict(ip=engine.params['ip'], licname=engine.params.get('licname') or engine.params['ip'])


def _reuse_write(engine, record):
    return _func(record, 'edit'), _edit_fields(record, _reuse_target(engine, record))


def _reuse_predict(engine, record):
    return dict(record, parked=False, **_reuse_target(engine, record))


def _reuse_took_effect(engine, before, now):
    target = _reuse_target(engine, before)
    return _same_ip(now['ip'], target['ip']) and now['licname'] == target['licname']


# -- the tariff ---------------------------------------------------------------------

def _tariff_applies(engine, record):
    return engine.pricelist is not None and record['pricelist'] not in (None, engine.pricelist)


def _tariff_write(engine, record):
    return 'service.changepricelist', {'elid': record['id'], 'pricelist': engine.pricelist,
                                       'period': engine.order_period, 'sok': 'ok'}


def _tariff_predict(engine, record):
    return dict(record, pricelist=engine.pricelist, product=product_name(engine.pricelist))


# -- status ------------------------------------------------------------------------

def _status_write(operation):
    # suspend and resume commit without sok (ISPsystem's own WHMCS module sends none).
    def write(engine, record):
        fields = {'elid': record['id']}
        if operation == 'delete':
            fields['sok'] = 'ok'
        return _func(record, operation), fields
    return write


def _set_status(status, **more):
    return lambda engine, record: dict(record, status=status, **more)


def _status_is(*statuses):
    return lambda engine, before, now: now['status'] in statuses


def _resume_applies(engine, record):
    return record['status'] == 'suspended' and (engine.params.get('resume_suspended', True) or engine.reused)


# -- park --------------------------------------------------------------------------

def _park_write(engine, record):
    return _func(record, 'edit'), _edit_fields(record, dict(ip=PARKING_IP, licname=PARKING_NAME))


def _park_predict(engine, record):
    return dict(record, ip=PARKING_IP, licname=PARKING_NAME, parked=True)


def _park_took_effect(engine, before, now):
    return now['parked'] and now['licname'] == PARKING_NAME


# -- renew -------------------------------------------------------------------------

def _renew_applies(engine, record):
    if record['status'] == 'ordered':
        return False  # in the cart, unpaid: nothing to renew yet
    left = days_left(record, engine.today)
    if engine.reused and left is not None and left < 0:
        return True  # a parked license that has lapsed is renewed when it is reused
    window = engine.params.get('renew_within_days')
    return window is not None and left is not None and left <= window


def renewal_end(engine, record):
    """The end date a renewal by ``period`` gives: from the old end while active, else from today."""
    end = parse_date(record.get('expiredate'))
    base = engine.today
    if end and record.get('status') in ('active', 'processing'):
        base = datetime.datetime.strptime(end, '%Y-%m-%d').date()
    return add_months(base, engine.order_period)


def _renew_write(engine, record):
    return 'service.prolong', {'elid': record['id'], 'period': engine.order_period, 'sok': 'ok'}


def _renew_predict(engine, record):
    status = 'active' if record.get('status') == 'suspended' else record.get('status')
    return dict(record, expiredate=renewal_end(engine, record).isoformat(), status=status)


# -- order -------------------------------------------------------------------------

def order_fields(engine):
    params, family = engine.params, FAMILIES[engine.family]
    fields = dict(pricelist=engine.pricelist, period=engine.order_period, clicked_button='finish', sok='ok')
    fields[family.name_field] = params.get('licname') or params['ip']
    if family.ip_bound:
        fields['ip'] = params['ip']
    if params.get('skipbasket', True):
        fields['skipbasket'] = 'on'
    if params.get('autoprolong') is not None:
        fields['autoprolong'] = params['autoprolong'] or 'null'  # 'null' is how it is turned off
    if params.get('remoteid'):
        fields['remoteid'] = params['remoteid']
    for addon, amount in sorted(engine.addons.items()):
        fields['addon_%s' % addon] = amount
    return fields


def _order_write(engine, record):
    return FAMILIES[engine.family].functions['order'], order_fields(engine)


def order_prediction(engine):
    params = engine.params
    paid = params.get('skipbasket', True)
    if not paid:
        end = engine.today  # an order left in the cart is not paid: its end date is the order date
    elif engine.trial:
        end = engine.today + datetime.timedelta(days=30)  # the vendor's trials last 30 days
    else:
        end = add_months(engine.today, engine.order_period)
    record = make_record({
        'licname': params.get('licname') or params['ip'], 'comment': params.get('licname'),
        'ip': params.get('ip'), 'pricelist': engine.pricelist,
        'status': '5' if paid else '1', 'expiredate': end.isoformat(),
        'autoprolong': params.get('autoprolong') or '',
    }, family=engine.family)
    return dict(record, addons=dict((str(k), v) for k, v in engine.addons.items()))


def _never(engine, record):
    return False


ACTIONS = (
    Action('order', (), _never, _order_write, lambda engine, record: order_prediction(engine), None),
    Action('reuse', (), _never, _reuse_write, _reuse_predict, _reuse_took_effect),
    Action('edit', ('present', 'suspended'), lambda e, r: bool(edit_changes(e, r)),
           _edit_write, _edit_predict, _edit_took_effect),
    Action('tariff', ('present',), _tariff_applies, _tariff_write, _tariff_predict,
           lambda engine, before, now: now['pricelist'] == engine.pricelist),
    Action('resume', ('present',), _resume_applies, _status_write('resume'), _set_status('active'),
           _status_is('active', 'processing')),
    Action('suspend', ('suspended', 'parked'), lambda e, r: r['status'] != 'suspended',
           _status_write('suspend'), _set_status('suspended'), _status_is('suspended')),
    Action('park', ('parked',), lambda e, r: not r['parked'], _park_write, _park_predict, _park_took_effect),
    Action('renew', ('present',), _renew_applies, _renew_write, _renew_predict,
           lambda engine, before, now: now['expiredate'] != before['expiredate']),
    Action('newkey', ('present',), lambda e, r: bool(e.params.get('regenerate_key')),
           lambda e, r: (_func(r, 'edit'), {'elid': r['id'], 'clicked_button': 'newkey', 'sok': 'ok'}),
           lambda e, r: dict(r, key=None),  # not known before the billing system makes it
           lambda engine, before, now: now['key'] != before['key']),
    Action('delete', ('absent',), lambda e, r: True, _status_write('delete'), _set_status('deleted', key=None),
           _status_is('deleted')),
)
ACTION_BY_NAME = dict((action.name, action) for action in ACTIONS)
ACTION_NAMES = tuple(action.name for action in ACTIONS)
