# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Authentication against BILLmanager: ``authinfo`` on every call, or a session.

An authenticator's ``call(post, func, params)`` sends one call through
``post(func, params, credentials)`` (the client's single HTTP request) with
the credentials the method needs, logging in first where it must.

Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import AUTH, FORMAT, BillmanagerError

AUTH_METHODS = ('authinfo', 'session')


def authenticator(method, username, password):
    """The authenticator of ``auth_method``."""
    if method == 'session':
        return SessionLogin(username, password)
    return Authinfo(username, password)


class Authinfo:
    """``authinfo=user:password`` in the body of every request (the vendor guide's way)."""

    def __init__(self, username, password):
        self.username = username
        self._password = password

    def call(self, post, func, params):
        return post(func, params, {'authinfo': '%s:%s' % (self.username, self._password)})


class SessionLogin:
    """``func=auth`` once, then ``auth=<session id>``; an expired session is renewed once."""

    def __init__(self, username, password):
        self.username = username
        self._password = password
        self.session_id = None

    def call(self, post, func, params):
        fresh = self.session_id is None
        if fresh:
            self.login(post)
        try:
            return post(func, params, {'auth': self.session_id})
        except BillmanagerError as exc:
            # A session expires an hour after its last request and the server
            # may have restarted: log in again once and repeat the call.  This
            # is safe for writes too: an auth error means nothing was done.
            if exc.kind != AUTH or fresh:
                raise
            self.session_id = None
            self.login(post)
            return post(func, params, {'auth': self.session_id})

    def login(self, post):
        # Whatever goes wrong here, the call the session is for was not sent yet.
        try:
            doc = post('auth', {'username': self.username, 'password': self._password}, {})
        except BillmanagerError as exc:
            exc.never_sent = True
            raise
        session_id = doc.get('auth') if isinstance(doc, dict) else None
        if isinstance(session_id, dict):  # the id only in the attribute: <auth id="..."/>
            session_id = session_id.get('id')
        if not session_id or not isinstance(session_id, str):
            error = BillmanagerError('auth', FORMAT, 'the answer holds no session id')
            error.never_sent = True
            raise error
        self.session_id = session_id
