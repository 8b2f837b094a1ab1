"""The operator console at ``/admin``: server-rendered pages over the admin services."""
