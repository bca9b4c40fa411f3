# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The errors of the collection: a failed API call, a failed license operation.

Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


MASK = '********'  # what stands for a secret in any text the collection shows


# What went wrong, from the caller's point of view.
AUTH = 'auth'              # the billing system rejected the credentials or session
BILLING = 'billing'        # the billing system answered with an error element
HTTP = 'http'              # a non-2xx HTTP status
FORMAT = 'format'          # the answer is not the JSON we expect (HTML page, truncated body)
TIMEOUT = 'timeout'        # no answer within api_timeout
TLS = 'tls'                # certificate or handshake failure
CONNECTION = 'connection'  # could not connect, or the connection broke


class BillmanagerError(Exception):
    """Any failure of an API call.

    ``kind`` is one of the constants above.  ``err_type`` and ``err_object``
    are the billing system's own classification (``exists``/``ip``, say) when
    it gave one.  ``ambiguous`` is True when a write may have been carried out
    although we saw no answer: the caller must find out what happened before
    it does anything else, and must never simply send it again.
    """

    def __init__(self, func, kind, message, err_type=None, err_object=None,
                 status=None, ambiguous=False):
        self.func = func
        self.kind = kind
        self.message = message
        self.err_type = err_type
        self.err_object = err_object
        self.status = status
        self.ambiguous = ambiguous
        self.never_sent = False  # the connection was refused: certainly not carried out
        self.cut_short = False  # JSON that ends early: the answer broke off on its way
        self.attempts = 1  # how many times the call was sent (see _retry)
        self.elapsed = 0.0  # seconds from the first try to the failure
        self.hint = None  # what a person should check (an option, its variable), or None
        super(BillmanagerError, self).__init__(self.describe())

    def __str__(self):
        # From the current fields: the client scrubs ``message`` after construction.
        return self.describe()

    @property
    def retryable(self):
        """Transient for a read: worth another try after a pause (the policy is in ``_retry``)."""
        from ansible_collections.ispsystem.billmanager.plugins.module_utils._retry import transient
        return transient(self)

    def describe(self):
        if self.kind in (AUTH, BILLING):
            where = []
            if self.err_type:
                where.append("type '%s'" % self.err_type)
            if self.err_object:
                where.append("object '%s'" % self.err_object)
            suffix = ' (%s)' % ', '.join(where) if where else ''
            return 'BILLmanager function %s failed: %s%s' % (self.func, self.message, suffix)
        return 'BILLmanager function %s failed: %s' % (self.func, self.message)

    def to_dict(self):
        """The error as returned to the user (``api_error`` in a failed task)."""
        return dict(function=self.func, kind=self.kind, type=self.err_type,
                    object=self.err_object, message=self.message,
                    status=self.status, ambiguous=self.ambiguous)


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
