"""Hub logic: what the hub decides and does, independent of HTTP and of OCPI versions."""
