"""The HTTP edge for partners: authentication, parsing, envelopes, and one handler per module."""
