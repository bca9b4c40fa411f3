# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The desired-state engine of ``isp_license``: one license brought to the state the options describe.

Options and a client in, a result out: ``changed``, ``actions``, the
``license`` record after the change and the ``diff``.  The actions are rows
of ``_actions.ACTIONS``; this file is their one generic loop.  Check mode is
a flag of the engine: it plans exactly as a real run does and predicts the
record instead of sending the writes.

Money rules: a write is sent once, through ``_write()``.  When its answer is
lost (``ambiguous``), the engine reads the license again (for an order, the
listing, for as long as ``wait_timeout``) and goes on only if the change is
there; it never sends the write a second time, and it never says "nothing
happened" when it does not know.  Every write is decided on fresh data, under
the license's lock (``_run_state``).

Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import time

from ansible_collections.ispsystem.billmanager.plugins.module_utils._actions import (
    ACTION_BY_NAME,
    ACTIONS,
    order_prediction,
    renewal_end,
)
from ansible_collections.ispsystem.billmanager.plugins.module_utils._catalog import (
    FAMILIES,
    FAMILY_NAMES,
    catalog_entry,
    family_of,
    resolve_pricelist,
)
from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import BILLING, BillmanagerError, LicenseError
from ansible_collections.ispsystem.billmanager.plugins.module_utils._identity import find_license, identity_key, same_ip
from ansible_collections.ispsystem.billmanager.plugins.module_utils._input import (
    check_family,
    check_ids,
    check_not_negative,
    normalize_ip,
    normalize_licname,
    order_addons,
    order_period,
)
from ansible_collections.ispsystem.billmanager.plugins.module_utils._listing import (
    Listing,
    fill_unknown_pricelists,
    list_licenses,
    read_by_id,
    read_license,
)
from ansible_collections.ispsystem.billmanager.plugins.module_utils._record import days_left, masked
from ansible_collections.ispsystem.billmanager.plugins.module_utils._run_state import (
    PendingOrders,
    RunMoves,
    SharedListing,
    claim_lock,
    license_lock,
)


class NoContext:
    """A task without a controller run: no shared listing, progress unseen."""
    run_id = None

    @staticmethod
    def progress(msg):
        pass


class LicenseReconciler:
    """Bring one license to the state that ``params`` describe."""

    def __init__(self, client, params, check_mode=False, today=None, context=None,
                 sleep=time.sleep, clock=time.monotonic):
        self.client = client
        self.params = dict(params)
        self.check_mode = check_mode
        self.today = today or datetime.date.today()
        self.context = context or NoContext()
        self.sleep = sleep
        self.clock = clock
        self.actions = []
        self.warnings = []
        self.reused = False
        self.known_ids = set()
        self._claims = []

    # -- input -------------------------------------------------------------

    def validate(self):
        """Fail on bad input before any call to the API."""
        params, state = self.params, self.params.get('state', 'present')
        if params.get('ip') is not None:
            params['ip'] = normalize_ip('ip', params['ip'])
        if params.get('licname') is not None:
            # The billing system trims the name it stores: compare and send it trimmed, or a
            # name with a stray space never matches and every run orders again.
            params['licname'] = normalize_licname('licname', params['licname'])
        check_ids(params, 'id', 'pricelist')
        check_not_negative(params, 'renew_within_days', 'wait_timeout', 'listing_max_age')
        if params.get('product') and params.get('family') and params['family'] != family_of(dict(product=params['product'])):
            raise LicenseError("family: '%s' is not the family of product '%s' (%s); leave family out"
                               % (params['family'], params['product'], family_of(dict(product=params['product']))))
        self.pricelist = resolve_pricelist(params)
        self.family = family_of(params)
        check_family(params, self.family)
        self.addons = order_addons(params, self.pricelist)
        self.order_period, self.trial = order_period(params, self.pricelist, self.family)
        if params.get('regenerate_key') and state in ('suspended', 'absent', 'parked'):
            raise LicenseError('regenerate_key: true does not go with state=%s; a new key is made for a '
                               'license that is present' % state)
        if params.get('allow_tariff_change') and self.pricelist is None:
            raise LicenseError('allow_tariff_change: true needs the tariff to change to: give product or pricelist')
        if state == 'parked' and not FAMILIES[self.family].parkable:
            raise LicenseError("state: parked does not apply to %s: only IP-bound licenses (families soft, "
                               "softexternal) can wait in the pool on 0.0.0.0" % self._tariff_name())
        if params.get('reuse_parked'):
            if state != 'present':
                raise LicenseError('reuse_parked: true goes with state=present only, not state=%s' % state)
            if params.get('id') is not None:
                raise LicenseError('reuse_parked: true does not go with id: an id names one license, there '
                                   'is nothing to choose from the pool')

    def _tariff_name(self):
        if self.params.get('product'):
            return "product '%s'" % self.params['product']
        return 'family %s' % self.family

    def _families(self):
        """The families a license of these options can be in: one when the tariff or family is given."""
        if self.params.get('product') or self.params.get('family'):
            return (self.family,)
        return FAMILY_NAMES

    # -- finding the license -------------------------------------------------

    def _listing(self, fresh):
        """The account listing: the run's shared one unless ``fresh``; a fresh one is shared from then on.

        A shared listing holds only the records that can match this task (its
        shard by name or IP).  The first task of a run lists under the listing's
        lock, so the forks that start with it wait for its listing instead of
        all listing the account at once.
        """
        families = self._families()
        shared = SharedListing(self.params, self.context.run_id, families)
        key = ('n:%s' % self.params['licname']) if self.params.get('licname') else 'i:%s' % self.params.get('ip')

        def list_and_share():
            listing = list_licenses(self.client, families)
            shared.put(listing.records, listing.unreadable_dates)
            return listing, True
        if fresh or not shared.enabled:
            return list_and_share()
        cached = shared.get(key)
        if cached is None:
            with shared.lock:
                cached = shared.get(key)  # another task listed while this one waited
                if cached is None:
                    return list_and_share()
        return Listing(cached[0], cached[1], families), False

    def find_current(self):
        """``(current, listing)``: the license the options name, read fresh, or None when there is none."""
        params = self.params
        if params.get('id') is not None:
            return read_by_id(self.client, params['id'], self._families()), None
        listing, fresh = self._listing(fresh=self.params.get('listing_max_age', 60) == 0)
        while True:
            current = find_license(self.client, listing.records, params)
            if current is not None:
                current = read_license(self.client, current)  # the key, the exact status, now
                if self._still_matches(current):
                    return current, listing
            elif fresh:
                return None, listing
            if fresh:
                # A fresh listing named it, and its read says it changed since: list once more.
                current = find_license(self.client, list_licenses(self.client, self._families()).records, params)
                return (read_license(self.client, current) if current else None), listing
            # Shared and stale: deleted, moved or renamed behind the run's back, or never there.
            listing, fresh = self._listing(fresh=True)

    def _still_matches(self, record):
        if record['status'] == 'deleted' or record['parked']:
            return False
        if self.params.get('licname'):
            return record['licname'] == self.params['licname']
        return same_ip(record['ip'], self.params.get('ip'))

    # -- plan and act ------------------------------------------------------------

    def run(self):
        self.validate()
        lock = license_lock(self.params, identity_key(self.params, self.family))
        try:
            if not lock.acquire():
                raise LicenseError('another task on this controller has held the lock of %s for %s s; '
                                   'nothing was done' % (self._identity(), lock.timeout))
            current, listing = self.find_current()
            if listing is not None:
                self.warnings.extend(listing.warnings)
            if current is not None:
                return self._apply(current, current)
            if self.params.get('state', 'present') in ('absent', 'parked'):
                return self._result(None, None)
            return self._apply(self._create(listing), None)
        finally:
            lock.release()
            for claim in self._claims:
                claim.release()

    def _create(self, listing):
        """Order, or reuse a parked license, when nothing matches: the record it leaves."""
        params, state = self.params, self.params.get('state', 'present')
        if state == 'suspended':
            raise LicenseError('no license matches %s; state=suspended needs an existing license' % self._identity())
        if params.get('id') is not None:
            raise LicenseError('no license has id=%s; a license with a chosen id cannot be '
                               'ordered: leave id out to order one' % params['id'])
        if self.pricelist is None or (FAMILIES[self.family].ip_bound and not params.get('ip')):
            needs = 'ip and product or pricelist' if FAMILIES[self.family].ip_bound else 'product or pricelist'
            raise LicenseError('no license matches %s; to order one, give %s' % (self._identity(), needs))
        if params.get('reuse_parked'):
            parked = self._pick_parked(listing)
            if parked is not None:
                self.reused = True
                return self._do(ACTION_BY_NAME['reuse'], parked)
        self._check_pending_order()
        self._check_ip_for_order()
        self.known_ids = set(r['id'] for r in listing.records)
        return self._do(ACTION_BY_NAME['order'], None)

    def _apply(self, record, before):
        """The table's actions that apply, in its order, starting from ``record``."""
        state = self.params.get('state', 'present')
        self._check_tariff(record, state)
        for action in ACTIONS if self.actions != ['order'] else ():  # a new license is as ordered
            if state in action.states and action.applies(self, record):
                record = self._do(action, record)
        if not self.check_mode and self.actions and state != 'absent':
            record = self._read(record)
        if state == 'present' and self.params.get('wait', True):
            record = self._wait(record)
        self._warn_after(before, record)
        return self._result(before, record)

    def _check_tariff(self, record, state):
        if state != 'present' or self.pricelist is None or record['pricelist'] in (None, self.pricelist):
            return
        if record['family'] != self.family:
            raise LicenseError("license %s is a %s license; %s is family %s, and a tariff changes within its "
                               "family only: delete it and order anew"
                               % (record['id'], record['family'], self._tariff_name(), self.family), license=record)
        if not self.params.get('allow_tariff_change'):
            raise LicenseError(
                "license %s has pricelist %s (%s), not %s; changing a license's tariff charges the "
                "difference: set allow_tariff_change to true to change it, or leave product/pricelist out"
                % (record['id'], record['pricelist'], record['product'] or 'not in the catalog',
                   self.pricelist), license=record)

    def _do(self, action, record):
        """One action: predicted in check mode, else written once (``_write``)."""
        if action.name == 'renew':
            self.renewed_from = record  # what one renewal by period should give is judged from this
        if self.check_mode:
            after = action.predict(self, record)
        elif action.name == 'order':
            after = self._order()
        else:
            after = self._write(action, record)
            if action.name == 'edit' and record.get('ip') and not same_ip(record['ip'], after.get('ip')):
                self._note_move(record, after)
        self.actions.append(action.name)
        self.context.progress('%s: %s' % (action.name, self._describe(after)))
        return after

    def _note_move(self, before, after):
        """Warn when another task of this run moved the same license: two hosts want one license."""
        earlier = RunMoves(self.params, self.context.run_id).record(before['id'], before['ip'], after['ip'])
        if earlier:
            self.warnings.append('license %s was moved from %s to %s by another task of this run, and now back '
                                 'to %s: do two hosts name the same licname (or the same IP and tariff)? Each '
                                 'run will move it again' % (before['id'], earlier['old'], earlier['new'], after['ip']))

    @staticmethod
    def _describe(record):
        return 'license %s, status %s' % (record.get('id') or '(new)', record.get('status'))

    def _identity(self):
        for option in ('id', 'licname', 'ip'):
            if self.params.get(option) not in (None, ''):
                return "%s='%s'" % (option, self.params[option])
        return 'the options'  # pragma: no cover - required_one_of

    # -- writes ------------------------------------------------------------------

    def _write(self, action, record):
        """Send one write; after a lost answer, re-read and go on only if it took effect."""
        func, fields = action.write(self, record)
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
            if not action.took_effect(self, record, now):
                raise self._fail('%s; license %s shows that it did not take effect. Nothing was sent '
                                 'again: run the task again' % (exc, record['id']), now,
                                 api_error=exc.to_dict())
            self.warnings.append('the answer to %s was lost (%s), but license %s shows that it took '
                                 'effect' % (func, exc.message, record['id']))
            return now
        return action.predict(self, record)

    def _order(self):
        action = ACTION_BY_NAME['order']
        func, fields = action.write(self, None)
        known = self.known_ids
        try:
            doc = self.client.call(func, fields, write=True)
        except BillmanagerError as exc:
            if not exc.ambiguous:
                raise self._fail(str(exc), None, api_error=exc.to_dict())
            return self._resolve_lost_order(exc, func, known)
        ident = doc.get('id') or doc.get('elid')
        if isinstance(ident, dict):  # bjson-style {"v": "42"}, or an element with attributes
            ident = ident.get('v') or ident.get('id')
        if not str(ident).isdigit():
            raise self._fail('%s answered without the new license id; it may have been ordered: check the '
                             'license list for %s before running again' % (func, self._identity()), None)
        return dict(order_prediction(self), id=int(ident))

    def _new_licenses(self, known):
        fresh = list_licenses(self.client, (self.family,)).records
        created = [r for r in fresh if r['id'] not in known and r['status'] != 'deleted' and self._is_ours(r)]
        return [r for r in fill_unknown_pricelists(self.client, created) if r['pricelist'] == self.pricelist]

    def _is_ours(self, record):
        if FAMILIES[self.family].ip_bound:
            return same_ip(record['ip'], self.params['ip'])
        return record['licname'] == (self.params.get('licname') or self.params.get('ip'))

    def _resolve_lost_order(self, exc, func, known):
        """The order's answer was lost: look for the license it created for as long as ``wait_timeout``.

        The billing may still be processing the order when its answer is lost
        (a timeout, a proxy's 502): a license missing right after may appear
        seconds later.  When none has appeared by the deadline, the outcome is
        unknown: say so, and remember the order so the next run does not order
        again before PENDING_HOURS have passed (``_check_pending_order``).
        """
        deadline = self.clock() + self.params.get('wait_timeout', 300)
        delay, polls, created = 1.0, 0, []
        while True:
            polls += 1
            try:
                created = self._new_licenses(known)
            except BillmanagerError as again:
                created, last_error = [], again.message
            else:
                last_error = None
            if created or self.clock() + delay > deadline:
                break
            self.context.progress('the answer to %s was lost: looking for the new license, %d s waited'
                                  % (func, int(self.clock() - (deadline - self.params.get('wait_timeout', 300)))))
            self.sleep(delay)
            delay = min(delay * 2, 10.0)
        pending = PendingOrders(self.params)
        identity = identity_key(self.params, self.family)
        if len(created) == 1:
            pending.remove(identity)
            self.warnings.append('the answer to %s was lost (%s); adopted license %s, which that order created'
                                 % (func, exc.message, created[0]['id']))
            return created[0]
        if len(created) > 1:
            raise self._fail('%s; then %d new licenses for %s appeared (ids %s); adopt one with id and delete '
                             'the others' % (exc, len(created), self._identity(),
                                             ', '.join(str(r['id']) for r in created)), None, api_error=exc.to_dict())
        entry = pending.add(identity, known)
        why = (' (the last look failed: %s)' % last_error) if last_error else ''
        until = (' This controller will not order %s again for %d hours unless the license appears.'
                 % (self._identity(), 2)) if entry else ''
        raise self._fail('%s; the outcome of the order is unknown: no new license for %s appeared within '
                         'wait_timeout=%s s (%d looks)%s, but the billing may still be processing it and '
                         'charge for it. Nothing was sent again. Check the license list (isp_license_info) '
                         'before running again.%s'
                         % (exc, self._identity(), self.params.get('wait_timeout', 300), polls, why, until),
                         None, api_error=exc.to_dict(), outcome='unknown')

    def _check_pending_order(self):
        """Refuse to order while an earlier order of the same license may still be landing."""
        pending = PendingOrders(self.params)
        identity = identity_key(self.params, self.family)
        entry = pending.find(identity)
        if entry is None:
            return
        created = self._new_licenses(set(entry.get('known_ids') or []))
        if created:
            return  # it landed after all: the listing will name it on the next run; an order here would be a second
        raise LicenseError('an earlier order for %s (at %s) had an unknown outcome and may still be landing; '
                           'not ordering again before %s. Check the license list; if no such license exists, '
                           'remove the entry in %s to order now'
                           % (self._identity(), _stamp(entry['since']), _stamp(entry['expires']), pending.path))

    def _check_ip_for_order(self):
        """Ask the billing whether the IP can take the license before ordering (read-only).

        Check mode thus fails where the order would be refused, and both modes
        fail with the same message, before anything is sent that costs money.
        """
        func = FAMILIES[self.family].functions['checkip']
        if func is None:
            return
        try:
            self.client.call(func, {'ip': self.params['ip'], 'pricelist': self.pricelist, 'period': self.order_period})
        except BillmanagerError as exc:
            if exc.kind != BILLING or exc.err_type in ('access', 'missed'):
                raise
            raise LicenseError('%s cannot take a license of %s: %s. Nothing was ordered'
                               % (self.params['ip'], self._tariff_name(), exc.message), api_error=exc.to_dict())

    # -- the pool ----------------------------------------------------------------

    def _pick_parked(self, listing):
        """The parked license of the tariff with the most paid time left that no other task holds."""
        parked = [r for r in listing.records if r['parked'] and r['status'] != 'deleted']
        parked = [r for r in fill_unknown_pricelists(self.client, parked) if r['pricelist'] == self.pricelist]
        parked.sort(key=lambda r: (r['expiredate'] or '', -r['id']), reverse=True)
        for candidate in parked:
            claim = claim_lock(self.params, candidate['id'])
            if not claim.acquire(blocking=False):
                continue  # another task of this controller is taking it
            self._claims.append(claim)  # held until the task ends: the license is moved by then
            now = read_license(self.client, candidate)
            if now['parked'] and now['status'] != 'deleted':
                return now
        return None

    # -- after the writes ------------------------------------------------------------

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
        timeout = self.params.get('wait_timeout', 300)
        start = self.clock()
        deadline = start + timeout
        delay = 0.25
        while record['status'] == 'processing' or (record['status'] == 'active' and not record['key']):
            if self.clock() + delay > deadline:
                raise self._fail('license %s is still %s after wait_timeout=%s s; billing goes on '
                                 'by itself: run the task again to wait for it'
                                 % (record['id'], record['status'], timeout), record)
            self.context.progress('license %s is %s%s, %.0f s waited' % (
                record['id'], record['status'], '' if record['key'] else ' without its key', self.clock() - start))
            self.sleep(delay)
            delay = min(delay * 2, 5.0)
            record = self._read(record)
        return record

    def _warn_after(self, before, record):
        if self.check_mode or 'renew' not in self.actions or record is None:
            return
        expected = renewal_end(self, self.renewed_from)
        end = record.get('expiredate')
        if end and end > (expected + datetime.timedelta(days=3)).isoformat():
            self.warnings.append('license %s now ends %s, later than one renewal by period=%s gives (%s): it may '
                                 'have been renewed more than once (by another run or controller?)'
                                 % (record['id'], end, self.params.get('period', 1), expected.isoformat()))
        window = self.params.get('renew_within_days')
        left = days_left(record, self.today)
        if window is not None and left is not None and left <= window:
            self.warnings.append('license %s still ends within renew_within_days=%s after the renewal (%s): the '
                                 'next run renews it again and charges again; renew by a longer period or lower '
                                 'renew_within_days' % (record['id'], window, end))

    def _result(self, before, after):
        result = dict(
            changed=bool(self.actions),
            actions=list(self.actions),
            license=after,
            diff=dict(before=masked(before), after=masked(after)),
            warnings=list(self.warnings),
        )
        pricelist = (after or before or {}).get('pricelist') or self.pricelist
        result['catalog'] = catalog_entry(pricelist)
        return result


def _stamp(seconds):
    return datetime.datetime.fromtimestamp(seconds).strftime('%Y-%m-%d %H:%M:%S')
