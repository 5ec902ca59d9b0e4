"""A loopback Gmail API emulator for sheetsync's drafts tests.

``GmailEmulator`` serves, over real HTTP on 127.0.0.1, what the Gmail sink
uses (``users.getProfile``, ``users.drafts.list`` with ``q=rfc822msgid:``,
``users.drafts.create``) and Google's OAuth token endpoint: the JWT-bearer
grant of a service account (signature checked against its key; ``sub``
impersonation allowed only for the scopes granted to its client ID by
domain-wide delegation, and only for users of the domain) and the
refresh-token grant of an authorized user.  Every request is checked
against Gmail's discovery document as google-api-python-client ships it
(``gmail.v1.json``); errors come back in Google's format; each user has the
per-user quota (15,000 units a minute, settable) and faults can be queued.
It also answers RFC 7662 introspection for its tokens, so a Dovecot can
check the IMAP logins sheetsync makes with them.
"""

from .server import GmailEmulator

__all__ = ["GmailEmulator"]
