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

from ansible_collections.ispsystem.billmanager.plugins.module_utils._catalog import PRODUCT_BY_PRICELIST, STATUS_NAMES


RECORD_KEYS = ('id', 'licname', 'ip', 'pricelist', 'product', 'status',
               'expiredate', 'autoprolong', 'key')


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
