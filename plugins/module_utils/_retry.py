# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The retry policy of API calls: which failures are tried again, how often, after which pauses.

- A read (``soft``, ``soft.edit`` without ``sok``, ``soft.checkip``, ...) is
  tried up to ``1 + api_retries`` times when it fails in a way that may pass:
  no connection, no answer in time, a connection that broke, an HTTP 5xx,
  JSON cut short on its way.  An answer that says no (an error element, a
  4xx, an HTML page, a TLS failure) is final at once.
- A write is sent exactly once, whatever happens: an order or a renewal
  costs money.  When its answer is lost it is flagged ``ambiguous`` (it may
  have been carried out), unless the request certainly never left
  (``never_sent``: the connection was refused, the name did not resolve).
- Between two tries a pause of at least half a second plus "full jitter"
  (``ansible.module_utils.api.generate_jittered_backoff``): a random whole
  number of seconds below 2, 4, 8, 8, ... so that parallel tasks do not
  retry in lockstep.

Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

from ansible.module_utils.api import generate_jittered_backoff

from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import (
    CONNECTION,
    FORMAT,
    HTTP,
    TIMEOUT,
    BillmanagerError,
)

PAUSE_FLOOR = 0.5  # seconds: never try again at once
PAUSE_BASE = 2     # full jitter below PAUSE_BASE * 2 ** n seconds ...
PAUSE_CAP = 8      # ... and never below more than this


def transient(error):
    """True when a failed read is worth another try after a pause."""
    if error.kind in (CONNECTION, TIMEOUT) or error.cut_short:
        return True
    return error.kind == HTTP and (error.status or 0) >= 500


def write_may_have_happened(error):
    """True when a failed write may still have been carried out (its answer was lost).

    A proxy's 502, a timeout, a broken or truncated answer all come after the
    request may have run.  A 4xx is a refusal before the application saw it;
    an error element, a TLS failure and a refused connection are certain.
    """
    if error.never_sent or error.kind not in (TIMEOUT, CONNECTION, HTTP, FORMAT):
        return False
    return error.kind != HTTP or (error.status or 0) >= 500


def pauses(retries):
    """The pauses (seconds) before each of ``retries`` further tries."""
    return [PAUSE_FLOOR + delay for delay in generate_jittered_backoff(
        retries=retries, delay_base=PAUSE_BASE, delay_threshold=PAUSE_CAP)]


def with_retries(send, write, retries, sleep=None, clock=time.monotonic):
    """Return ``send()``, tried again under the policy above.

    The error that ends the tries carries ``attempts`` and ``elapsed``
    (seconds since the first try), for a message that says what was tried;
    a failed write has ``ambiguous`` set as the policy says.
    """
    attempts = 1 if write else 1 + max(0, int(retries))
    delays = pauses(attempts - 1)
    started = clock()
    for attempt in range(attempts):
        try:
            return send()
        except BillmanagerError as exc:
            if write or not transient(exc) or attempt + 1 >= attempts:
                exc.attempts = attempt + 1
                exc.elapsed = clock() - started
                if write:
                    exc.ambiguous = write_may_have_happened(exc)
                raise
            (time.sleep if sleep is None else sleep)(delays[attempt])
    raise AssertionError('unreachable')  # pragma: no cover
