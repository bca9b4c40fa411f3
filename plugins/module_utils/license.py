# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The license domain: catalog, the license record, identity, reads.

Plain Python over a ``BillmanagerClient``; nothing here knows about
AnsibleModule, so the same logic runs in a module, in an action plugin on
the controller, and in tests.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import ipaddress
import re

from ansible_collections.ispsystem.billmanager.plugins.module_utils.api import (
    BILLING,
    BillmanagerError,
    as_list,
)

# product name -> (pricelist, node addon).  The vendor's reseller guide lists
# the v5 tariffs; ISPmanager 6 tariffs come from ispmanager.com's reseller docs.
CATALOG = {
    'ispmanager_lite': (3541, None),
    'ispmanager_business': (4601, 4602),
    'billmanager': (5577, None),
    'billmanager_corporate': (5579, None),
    'vmmanager_kvm': (3045, 3049),
    'vmmanager_cloud': (3887, 3889),
    'vmmanager_ovz': (3651, 3698),
    'dcimanager': (3934, None),
    'dcimanager_enterprise': (3936, None),
    'dnsmanager': (3136, None),
    'ipmanager': (2891, None),
    'ispmanager6_lite': (55227, None),
    'ispmanager6_pro': (55228, None),
    'ispmanager6_host': (55229, None),
    'ispmanager6_business': (55230, 55236),
}
PRODUCTS = frozenset(CATALOG)
PRODUCT_BY_PRICELIST = dict((pricelist, name) for name, (pricelist, _addon) in CATALOG.items())
NODE_ADDON_BY_PRICELIST = dict((pricelist, addon) for pricelist, addon in CATALOG.values())

PERIODS = (1, 12)  # months, as the reseller guide allows for orders and renewals
STATUS_NAMES = {'1': 'ordered', '2': 'active', '3': 'suspended', '4': 'deleted', '5': 'processing'}
STATUS_CHOICES = tuple(sorted(STATUS_NAMES.values())) + ('unknown',)
RECORD_KEYS = ('id', 'licname', 'ip', 'pricelist', 'product', 'status',
               'expiredate', 'autoprolong', 'key')


class LicenseError(Exception):
    """A failure of the license logic, with the result so far.

    ``result`` holds what the task returns although it failed: ``changed``
    and ``actions`` when something was already done, the matching ``ids``
    of an ambiguous identity, the ``api_error`` of the API call that failed.
    """

    def __init__(self, msg, **result):
        super(LicenseError, self).__init__(msg)
        self.msg = msg
        self.result = result


# -- input -------------------------------------------------------------------

def normalize_ip(option, ip):
    """Return ``ip`` in its canonical text form, or fail naming the option."""
    try:
        return str(ipaddress.ip_address(u'%s' % ip.strip()))
    except (ValueError, AttributeError):
        raise LicenseError("%s: '%s' is not a valid IPv4 or IPv6 address" % (option, ip))


def resolve_pricelist(params):
    """The tariff id the options name (``product`` or ``pricelist``), or None."""
    if params.get('product'):
        return CATALOG[params['product']][0]
    return params.get('pricelist')


def order_addons(params, pricelist):
    """The ``addon_<id>`` amounts of an order, from ``nodes`` and ``addons``."""
    addons = {}
    for addon, amount in (params.get('addons') or {}).items():
        if not re.match(r'[0-9]+\Z', str(addon)):
            raise LicenseError("addons: key '%s' is not an addon id (digits only)" % addon)
        try:
            if isinstance(amount, float) and not amount.is_integer():
                raise ValueError(amount)
            amount = int(amount)
        except (TypeError, ValueError, OverflowError):
            raise LicenseError("addons: amount '%s' of addon %s is not a whole number" % (amount, addon))
        if amount < 0:
            raise LicenseError('addons: amount %s of addon %s is negative' % (amount, addon))
        addons[int(addon)] = amount
    nodes = params.get('nodes')
    if nodes is not None:
        addon = NODE_ADDON_BY_PRICELIST.get(pricelist) if pricelist else None
        if nodes < 0:
            raise LicenseError('nodes: %s is negative' % nodes)
        if pricelist is not None and pricelist not in NODE_ADDON_BY_PRICELIST:
            raise LicenseError('nodes: pricelist %s is not in the catalog, so its node addon is '
                               'unknown; give its amount in addons instead' % pricelist)
        if pricelist is not None and addon is None:
            raise LicenseError("nodes: product '%s' has no node addon"
                               % PRODUCT_BY_PRICELIST[pricelist])
        if addon is not None:
            addons[addon] = nodes
    return addons


def check_positive(params, *names):
    for name in names:
        if params.get(name) is not None and params[name] < 0:
            raise LicenseError('%s: %s is negative' % (name, params[name]))


def check_ids(params, *names):
    """Ids (of a license, of a tariff) start at 1: fail on anything less, naming the option."""
    check_positive(params, *names)
    for name in names:
        if params.get(name) == 0:
            raise LicenseError('%s: 0 is not an id; ids start at 1' % name)


# -- the record --------------------------------------------------------------

def _int_or_none(raw):
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def parse_date(raw):
    """``YYYY-MM-DD`` from the API's date cell; None for an empty or null date."""
    raw = (raw or '').strip()
    if len(raw) == 10 and raw[4] == '-' and raw[7] == '-':
        # The usual form, without strptime: it adds up over the rows of a big account.
        try:
            return datetime.date(int(raw[:4]), int(raw[5:7]), int(raw[8:])).isoformat()
        except ValueError:
            return None
    for fmt in ('%Y-%m-%d', '%d.%m.%Y', '%Y-%m-%d %H:%M:%S'):
        try:
            return datetime.datetime.strptime(raw, fmt).strftime('%Y-%m-%d')
        except ValueError:
            continue
    return None


def parse_autoprolong(raw):
    """Renewal period in months, None when off (``null``, empty, ``0``, ``off``)."""
    months = _int_or_none(raw)
    return months if months else None


def status_name(raw):
    return STATUS_NAMES.get(str(raw).strip(), 'unknown')


def make_record(fields, record=None):
    """Build (or update) a license record from a ``soft`` row or a ``soft.edit`` read.

    Both come as plain dicts of machine values; the list has ``id``, the edit
    form ``elid``.  Missing fields leave the record as it was.
    """
    record = dict(record) if record else dict.fromkeys(RECORD_KEYS)
    ident = fields.get('id', fields.get('elid'))
    if ident not in (None, ''):
        record['id'] = _int_or_none(ident)
    for key in ('licname', 'ip'):
        if fields.get(key) not in (None, ''):
            record[key] = fields[key]
    if 'pricelist' in fields:
        # The list shows a tariff's name and keeps its id in $orig; where the
        # id is missing the name alone is no id, so leave it unknown.
        pricelist = _int_or_none(fields['pricelist'])
        if pricelist is not None or record['pricelist'] is None:
            record['pricelist'] = pricelist
    record['product'] = PRODUCT_BY_PRICELIST.get(record['pricelist'])
    if 'status' in fields:
        record['status'] = status_name(fields['status'])
    if 'expiredate' in fields:
        record['expiredate'] = parse_date(fields['expiredate'])
    if 'autoprolong' in fields:
        record['autoprolong'] = parse_autoprolong(fields['autoprolong'])
    if 'lickey' in fields:
        record['key'] = fields['lickey'] or None
    return record


def days_left(record, today):
    if not record.get('expiredate'):
        return None
    end = datetime.date(*(int(part) for part in record['expiredate'].split('-')))  # YYYY-MM-DD
    return (end - today).days


def add_months(day, months):
    """``day`` plus ``months`` calendar months, the day clamped to the month's end."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last_day in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last_day))
        except ValueError:
            continue
    raise AssertionError('unreachable')  # pragma: no cover


# -- reads -------------------------------------------------------------------

def list_licenses(client):
    """Every license of the account (deleted ones too), from one ``soft`` call."""
    doc = client.call('soft')
    return [make_record(row) for row in as_list(doc.get('elem')) if isinstance(row, dict)]


def read_license(client, record):
    """Complete ``record`` with a ``soft.edit`` read: key, exact tariff, status."""
    doc = client.call('soft.edit', {'elid': record['id']})
    return make_record(doc, record)


def fill_unknown_pricelists(client, records):
    """Read the tariff of every record whose list row showed only its name."""
    return [read_license(client, r) if r['pricelist'] is None else r for r in records]


def same_ip(left, right):
    try:
        return ipaddress.ip_address(u'%s' % left) == ipaddress.ip_address(u'%s' % right)
    except ValueError:
        return left == right


def find_license(client, records, params):
    """The one live license the options identify, or None.

    By ``id``, else ``licname``, else ``ip`` (and the tariff, when given).
    Deleted licenses never match; several matches fail and name their ids.
    """
    live = [r for r in records if r['status'] != 'deleted']
    pricelist = resolve_pricelist(params)
    if params.get('id') is not None:
        how, matches = 'id=%s' % params['id'], [r for r in live if r['id'] == params['id']]
    elif params.get('licname'):
        how, matches = "licname='%s'" % params['licname'], [
            r for r in live if r['licname'] == params['licname']]
    elif params.get('ip'):
        how = "ip='%s'" % params['ip']
        matches = [r for r in live if _same_canonical_ip(r['ip'], params['ip'])]
        if pricelist is not None:
            how += ' and pricelist=%s' % pricelist
            matches = [r for r in fill_unknown_pricelists(client, matches) if r['pricelist'] == pricelist]
    else:
        raise LicenseError('one of the following is required to identify the license: id, licname, ip')
    if len(matches) > 1:
        ids = sorted(r['id'] for r in matches)
        raise LicenseError('%d licenses match %s (ids %s); give id to choose one'
                           % (len(ids), how, ', '.join(str(i) for i in ids)), ids=ids)
    return matches[0] if matches else None


def _same_canonical_ip(raw, canonical):
    """``same_ip(raw, canonical)`` for a canonical address, parsing ``raw`` only when it
    may be another spelling of it (IPv6): cheap over the rows of a big account."""
    if raw == canonical:
        return True
    return ':' in canonical and ':' in (raw or '') and same_ip(raw, canonical)


def query_licenses(client, filters, today=None):
    """``isp_license_info``: the licenses matching every given filter, by id.

    One ``soft`` call and filtering in memory; with ``details`` one
    ``soft.edit`` read per match, and no more.
    """
    today = today or datetime.date.today()
    # An empty filter is a mistake (an unset variable), not "any": it would match every license.
    wanted_ip = normalize_ip('ip', filters['ip']) if filters.get('ip') is not None else None
    if filters.get('licname') == '':
        raise LicenseError("licname: '' is empty; leave it out or give a name")
    check_ids(filters, 'id', 'pricelist')
    check_positive(filters, 'expiring_within_days')
    pricelist = resolve_pricelist(filters)
    statuses = filters.get('status')
    matches = []
    for record in list_licenses(client):
        if statuses and record['status'] not in statuses:
            continue
        if not statuses and record['status'] == 'deleted':
            continue
        if filters.get('id') is not None and record['id'] != filters['id']:
            continue
        if filters.get('licname') and record['licname'] != filters['licname']:
            continue
        if wanted_ip and not _same_canonical_ip(record['ip'], wanted_ip):
            continue
        if filters.get('expiring_within_days') is not None:
            left = days_left(record, today)
            if left is None or left > filters['expiring_within_days']:
                continue
        matches.append(record)
    details = filters.get('details')
    if pricelist is not None:
        matches = [r for r in matches if r['pricelist'] in (None, pricelist)]
    if details or pricelist is not None:
        # One soft.edit per license at most: it gives the key and the exact tariff at once.
        matches = [read_license(client, r) if details or r['pricelist'] is None else r for r in matches]
    if pricelist is not None:
        matches = [r for r in matches if r['pricelist'] == pricelist]
    return sorted(matches, key=lambda r: r['id'])


# Errors of soft.checkip that are about the request rather than the IP: those
# fail the task; any other refusal is the answer "not available".
CHECK_FAILURES = frozenset(['pricelist', 'period', 'func', 'elid'])


def check_ip(client, params):
    """``isp_license_check``: ``(available, reason)`` for an IP and a tariff."""
    ip = normalize_ip('ip', params['ip'])
    check_ids(params, 'pricelist')
    pricelist = resolve_pricelist(params)
    try:
        client.call('soft.checkip', {'ip': ip, 'pricelist': pricelist, 'period': params['period']})
    except BillmanagerError as exc:
        if exc.kind != BILLING or exc.err_type in ('access', 'missed') or exc.err_object in CHECK_FAILURES:
            raise
        return False, exc.message
    return True, None
