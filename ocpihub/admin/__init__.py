"""The operator's admin API (JSON under ``/admin/api``), guarded by the admin bearer token."""
