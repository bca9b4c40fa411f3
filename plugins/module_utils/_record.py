# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The license record: built from a list row or an ``.edit`` read, and the date arithmetic on it.

Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

from ansible_collections.ispsystem.billmanager.plugins.module_utils._catalog import FAMILIES, STATUS_NAMES, product_name

RECORD_KEYS = ('id', 'licname', 'ip', 'pricelist', 'product', 'status',
               'expiredate', 'autoprolong', 'key', 'family', 'addons', 'parked')
PARKING_IP = '0.0.0.0'  # where parked licenses wait for reuse (ISPsystem's own WHMCS module)
PARKING_NAME = 'free.lic'

# The English names a localized status cell may carry when no machine value comes with it.
_STATUS_BY_TEXT = dict((name, code) for code, name in STATUS_NAMES.items())
_STATUS_BY_TEXT.update({'stopped': '3', 'processed': '5', 'in progress': '5'})
_DATE_FORMATS = ('%Y-%m-%d', '%d.%m.%Y', '%Y-%m-%d %H:%M:%S', '%d.%m.%Y %H:%M:%S',
                 '%b %d, %Y', '%B %d, %Y', '%d %b %Y', '%d %B %Y', '%m/%d/%Y')


def _int_or_none(raw):
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def parse_date(raw):
    """``YYYY-MM-DD`` from the API's date cell; None for an empty, null or unreadable date."""
    raw = (raw or '').strip()
    if len(raw) == 10 and raw[4] == '-' and raw[7] == '-':
        # The usual form, without strptime: it adds up over the rows of a big account.
        try:
            return datetime.date(int(raw[:4]), int(raw[5:7]), int(raw[8:])).isoformat()
        except ValueError:
            return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(raw, fmt).strftime('%Y-%m-%d')
        except ValueError:
            continue
    return None


def unreadable_date(raw):
    """True for a date cell that holds something parse_date() cannot read."""
    raw = (raw or '').strip()
    return bool(raw) and raw not in ('null', '0000-00-00') and parse_date(raw) is None


def parse_autoprolong(raw):
    """Renewal period in months, None when off (``null``, empty, ``0``, ``off``)."""
    months = _int_or_none(raw)
    return months if months else None


def status_name(raw):
    """The status name of a status cell: its machine code, else its English text."""
    raw = str(raw).strip()
    if raw in STATUS_NAMES:
        return STATUS_NAMES[raw]
    return STATUS_NAMES.get(_STATUS_BY_TEXT.get(raw.lower()), 'unknown')


def make_record(fields, record=None, family=None):
    """Build (or update) a license record from a list row or an ``.edit`` read.

    Both come as plain dicts of machine values; the list has ``id``, the edit
    form ``elid``.  Missing fields leave the record as it was.  The status
    comes as a localized cell with the code in ``$orig`` (decoded to the code),
    as a ``status`` column of codes, or only as ``status_msg`` text (the
    BILLmanager 6 reference shows both columns).
    """
    record = dict(record) if record else dict(dict.fromkeys(RECORD_KEYS), addons={})
    if family:
        record['family'] = family
    record['family'] = record['family'] or 'soft'
    name_field = FAMILIES[record['family']].name_field
    ident = fields.get('id', fields.get('elid'))
    if ident not in (None, ''):
        record['id'] = _int_or_none(ident)
    if fields.get(name_field) not in (None, ''):
        record['licname'] = fields[name_field]
    if FAMILIES[record['family']].ip_bound and fields.get('ip') not in (None, ''):
        record['ip'] = fields['ip']
    if 'pricelist' in fields:
        # The list shows a tariff's name and keeps its id in $orig; where the
        # id is missing the name alone is no id, so leave it unknown.
        pricelist = _int_or_none(fields['pricelist'])
        if pricelist is not None or record['pricelist'] is None:
            record['pricelist'] = pricelist
    record['product'] = product_name(record['pricelist'])
    if fields.get('status') in (None, '') and fields.get('status_msg') not in (None, ''):
        record['status'] = status_name(fields['status_msg'])
    elif 'status' in fields:
        record['status'] = status_name(fields['status'])
    if 'expiredate' in fields:
        record['expiredate'] = parse_date(fields['expiredate'])
    if 'autoprolong' in fields:
        record['autoprolong'] = parse_autoprolong(fields['autoprolong'])
    if 'lickey' in fields:
        record['key'] = fields['lickey'] or None
    addons = dict((name[6:], _int_or_none(amount)) for name, amount in fields.items()
                  if name.startswith('addon_') and name[6:].isdigit() and _int_or_none(amount) is not None)
    if addons:
        record['addons'] = dict(record['addons'] or {}, **addons)
    record['parked'] = record['ip'] == PARKING_IP
    return record


def masked(record):
    """The record as diff output shows it: the key never, only whether there is one."""
    if not record:
        return record or {}
    return dict(record, key='********' if record.get('key') else None)


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
