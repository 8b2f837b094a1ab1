"""One thin module per OCPI module: parse the wire, call one hub service, answer."""
