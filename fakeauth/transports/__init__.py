"""Transports: each only feeds the one WSGI seam (``fakeauth.wsgi``)."""
