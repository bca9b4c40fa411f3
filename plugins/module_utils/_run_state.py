# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the tasks on one machine share: license locks, the run's listing, unresolved orders.

Forks are separate processes, so this lives in files: a folder private to
the user (``BILLMANAGER_STATE_DIR``, else ``~/.ansible/billmanager``, mode
0700), locks with ``fcntl.flock``.  Nothing secret is written: listings hold
no license keys (a list row carries none) and nothing holds the password;
accounts are named by a hash of URL and user name.

- ``license_lock()``: held across read, decide and write, so two tasks or two
  runs on this machine that touch the same license send one write.
- ``SharedListing``: the account listing, shared by the tasks of one run
  (``run_id``) for at most ``listing_max_age`` seconds, never across runs.
- ``PendingOrders``: orders whose outcome is unknown, so that the next run
  does not order again while such an order may still be landing.
- ``RunMoves``: the licenses a run moved to another IP, so that a task that
  moves one back (two hosts naming one licname) is told.

What it cannot do: two controllers share none of it.  Two machines running
against one account at the same moment can still both order or renew.

Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import ipaddress
import json
import os
import re
import time

try:
    import fcntl
    HAS_FCNTL = True
except ImportError:  # pragma: no cover - not on POSIX
    HAS_FCNTL = False

LOCK_TIMEOUT = 900  # seconds a task waits for another one's lock on the same license
PENDING_HOURS = 2  # how long an order of unknown outcome blocks a new order of the same license
STALE_SECONDS = 24 * 3600  # listing files older than this are removed by the next writer
SHARDS = 256  # a 20,000-license account: about 160 records a shard (name and IP each), read in 0.2 ms


def state_dir():
    """The private folder, created when missing; None when it cannot be had (no sharing then)."""
    path = os.environ.get('BILLMANAGER_STATE_DIR') or os.path.join(os.path.expanduser('~'), '.ansible', 'billmanager')
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.lstat(path)
        if info.st_uid != os.getuid() or info.st_mode & 0o077:
            return None  # another user's, or open to others: share nothing through it
    except OSError:
        return None
    return path


def account_key(params):
    account = '%s\n%s' % (params.get('api_url'), params.get('api_username'))
    return hashlib.sha256(account.encode('utf-8')).hexdigest()[:24]


def _digest(*parts):
    return hashlib.sha256('\n'.join(str(p) for p in parts).encode('utf-8')).hexdigest()[:32]


class FileLock:
    """An exclusive flock on a file of the state folder; a no-op where there is none."""

    def __init__(self, name, timeout=LOCK_TIMEOUT, sleep=time.sleep, clock=time.monotonic):
        folder = state_dir()
        self.path = os.path.join(folder, 'lock-%s' % name) if folder and HAS_FCNTL else None
        self.timeout, self.sleep, self.clock = timeout, sleep, clock
        self.handle = None

    def acquire(self, blocking=True):
        if self.path is None:
            return True
        handle = open(self.path, 'a')
        deadline = self.clock() + self.timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.handle = handle
                os.utime(self.path)  # in use: the clean-up below leaves it alone
                return True
            except (IOError, OSError):
                if not blocking or self.clock() >= deadline:
                    handle.close()
                    return False
                self.sleep(0.05)

    def release(self):
        if self.handle is not None:
            fcntl.flock(self.handle.fileno(), fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None

    def __enter__(self):
        if not self.acquire():
            raise TimeoutError('another task held the lock %s for %s s' % (self.path, self.timeout))
        return self

    def __exit__(self, *exc_info):
        self.release()


def license_lock(params, identity):
    """The lock of one license of one account (by what names it: id, licname, IP and tariff)."""
    return FileLock(_digest(account_key(params), identity))


def claim_lock(params, license_id):
    """The lock a task holds on a parked license while it reuses it: tried, never waited for."""
    return FileLock(_digest(account_key(params), 'claim', license_id))


def _write_json(path, data):
    tmp = '%s.%d.tmp' % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as handle:
        # dumps, not dump: json.dump streams through the pure-Python encoder, ten times slower
        handle.write(json.dumps(data, separators=(',', ':')))
    os.replace(tmp, path)


def _read_json(path):
    try:
        with open(path) as handle:
            return json.load(handle)
    except (IOError, OSError, ValueError):
        return None


# An IPv4 address as ipaddress would write it (no leading zeros): most of an account, kept as it is.
_CANONICAL_IPV4 = re.compile(r'(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}'
                             r'(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])')


def _canonical_ip(ip):
    if _CANONICAL_IPV4.fullmatch(ip or ''):
        return ip  # a tenth of the cost of parsing it, for each of the account's licenses
    try:
        return str(ipaddress.ip_address(u'%s' % ip))
    except ValueError:
        return ip


def listing_keys(record):
    """The keys a task may look a record up by: its name and its IP."""
    keys = []
    if record.get('licname'):
        keys.append('n:' + record['licname'])
    if record.get('ip'):
        keys.append('i:' + _canonical_ip(record['ip']))
    return keys


def _shard(key):
    return int(hashlib.sha256(key.encode('utf-8')).hexdigest()[:8], 16) % SHARDS


class SharedListing:
    """The run's listing of one account and set of families, at most ``max_age`` s old.

    Stored in shards by name and by IP, so that a task reads the few records
    that can match it, not the whole account: with 20,000 licenses a task's
    cost stays that of a small account.  A pointer file, replaced atomically
    last, names the folder of the current shards.
    """

    def __init__(self, params, run_id, families, clock=time.time):
        folder = state_dir()
        self.max_age = params.get('listing_max_age', 60)
        self.enabled = bool(folder and run_id and self.max_age and HAS_FCNTL)
        self.name = 'listing-' + _digest(account_key(params), run_id, ','.join(families))
        self.pointer = os.path.join(folder, self.name + '.json') if self.enabled else None
        self.lock = FileLock(self.name) if self.enabled else None
        self.folder, self.clock = folder, clock

    def get(self, key):
        """``(records that may match key, unreadable_dates)`` from a listing young enough, else None."""
        if not self.enabled:
            return None
        data = _read_json(self.pointer)
        if not data or self.clock() - data.get('time', 0) > self.max_age:
            return None
        records = _read_json(os.path.join(self.folder, data['dir'], 's%02d.json' % _shard(key)))
        if records is None:
            return None  # replaced and removed meanwhile: list afresh
        return records, data.get('unreadable', 0)

    def put(self, records, unreadable):
        if not self.enabled:
            return
        shards = {}
        for record in records:
            for key in listing_keys(record):
                shards.setdefault(_shard(key), {})[record['id']] = record
        now = self.clock()
        folder = '%s-%d-%d' % (self.name, int(now * 1000000), os.getpid())
        os.mkdir(os.path.join(self.folder, folder), 0o700)
        for index in range(SHARDS):
            _write_json(os.path.join(self.folder, folder, 's%02d.json' % index), list(shards.get(index, {}).values()))
        _write_json(self.pointer, dict(time=now, dir=folder, unreadable=unreadable))
        self._remove_old(keep=folder)

    def _remove_old(self, keep):
        """Shards this pointer no longer names (after max_age, when no reader can still be on them), and
        any listing older than a day."""
        now = time.time()
        for name in os.listdir(self.folder):
            if name.startswith(('lock-', 'moves-')):
                # a lock last taken, a run's moves last written, a day ago: nobody holds or reads them
                _remove_if_older(os.path.join(self.folder, name), now, STALE_SECONDS)
                continue
            if not name.startswith('listing-') or name == keep:
                continue
            path = os.path.join(self.folder, name)
            try:
                age = now - os.stat(path).st_mtime
                ours = name.startswith(self.name + '-')
                if age > STALE_SECONDS or (ours and age > max(self.max_age, 60)):
                    if os.path.isdir(path):
                        for shard in os.listdir(path):
                            os.remove(os.path.join(path, shard))
                        os.rmdir(path)
                    elif age > STALE_SECONDS:
                        os.remove(path)
            except OSError:
                pass


def _remove_if_older(path, now, seconds):
    try:
        if now - os.stat(path).st_mtime > seconds:
            os.remove(path)
    except OSError:
        pass


class PendingOrders:
    """Orders of unknown outcome, per account and license identity, until they expire."""

    def __init__(self, params, clock=time.time):
        folder = state_dir()
        self.path = os.path.join(folder, 'pending-%s.json' % account_key(params)) if folder else None
        self.clock = clock

    def _load(self):
        data = (_read_json(self.path) if self.path else None) or {}
        now = self.clock()
        return dict((k, v) for k, v in data.items() if v.get('expires', 0) > now)

    def find(self, identity):
        return self._load().get(identity)

    def add(self, identity, known_ids):
        if not self.path:
            return None
        data = self._load()
        entry = dict(since=self.clock(), expires=self.clock() + PENDING_HOURS * 3600, known_ids=sorted(known_ids))
        data[identity] = entry
        _write_json(self.path, data)
        return entry

    def remove(self, identity):
        if not self.path:
            return
        data = self._load()
        if data.pop(identity, None) is not None:
            _write_json(self.path, data)


class RunMoves:
    """The IP moves of one run: license id -> the IP a task of the run moved it to, and from."""

    def __init__(self, params, run_id):
        folder = state_dir()
        self.path = None
        if folder and run_id:
            self.path = os.path.join(folder, 'moves-%s.json' % _digest(account_key(params), run_id))
        self.lock = FileLock('moves-' + _digest(account_key(params), run_id))

    def record(self, license_id, old_ip, new_ip):
        """Remember this move; return the earlier move of the same license in this run, if any."""
        if not self.path:
            return None
        with self.lock:
            data = _read_json(self.path) or {}
            earlier = data.get(str(license_id))
            data[str(license_id)] = dict(old=old_ip, new=new_ip)
            _write_json(self.path, data)
        return earlier
