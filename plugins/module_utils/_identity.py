# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which license a task is about: by id, else licname, else IP (and tariff).

Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress

from ansible_collections.ispsystem.billmanager.plugins.module_utils._catalog import resolve_pricelist
from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import LicenseError
from ansible_collections.ispsystem.billmanager.plugins.module_utils._listing import fill_unknown_pricelists


def same_ip(left, right):
    try:
        return ipaddress.ip_address(u'%s' % left) == ipaddress.ip_address(u'%s' % right)
    except ValueError:
        return left == right


def find_license(client, records, params):
    """The one live license the options identify, or None.

    By ``id``, else ``licname``, else ``ip`` (and the tariff, when given).
    Deleted licenses never match, parked ones only by id; several matches
    fail and name their ids.
    """
    # A parked license waits in the pool under a placeholder name and IP: only its id names it.
    live = [r for r in records if r['status'] != 'deleted' and (params.get('id') is not None or not r['parked'])]
    pricelist = resolve_pricelist(params)
    if params.get('id') is not None:
        how, matches = 'id=%s' % params['id'], [r for r in live if r['id'] == params['id']]
    elif params.get('licname'):
        how, matches = "licname='%s'" % params['licname'], [
            r for r in live if r['licname'] == params['licname']]
    elif params.get('ip'):
        how = "ip='%s'" % params['ip']
        matches = [r for r in live if same_canonical_ip(r['ip'], params['ip'])]
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


def same_canonical_ip(raw, canonical):
    """``same_ip(raw, canonical)`` for a canonical address, parsing ``raw`` only when it
    may be another spelling of it (IPv6): cheap over the rows of a big account."""
    if raw == canonical:
        return True
    return ':' in canonical and ':' in (raw or '') and same_ip(raw, canonical)


def identity_key(params, family):
    """What names the license a task is about, as a string: for its lock and its records."""
    for option in ('id', 'licname', 'ip'):
        if params.get(option) not in (None, ''):
            key = '%s=%s' % (option, params[option])
            if option == 'ip':
                key += ' pricelist=%s' % resolve_pricelist(params)
            return key if option == 'id' else '%s %s' % (family, key)
    return 'none'
