"""A loopback Microsoft Graph and Entra ID emulator for sheetsync's drafts tests.

``GraphEmulator`` serves over HTTPS on 127.0.0.1 (MSAL accepts nothing
else; the certificate is made on the spot and trusted through
``REQUESTS_CA_BUNDLE``) what the Graph sink and MSAL use: the tenant's
OpenID configuration, the v2.0 token endpoint (client credentials with a
secret or a certificate-signed client assertion, device code, refresh
token) and the device-authorization endpoint; and Graph's
``GET/POST /v1.0/users/{id}/messages`` and ``GET …/mailFolders/drafts``,
each request checked against Microsoft's OpenAPI description of those
operations (``mail-openapi.json``).  Apps carry their admin-consented
permissions and an optional Exchange application access policy; mailboxes
can be missing or disabled; each app and mailbox has Outlook's throttling
limits; faults can be queued.
"""

from .server import GraphEmulator

__all__ = ["GraphEmulator"]
