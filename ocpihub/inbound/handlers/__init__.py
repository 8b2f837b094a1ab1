"""One thin module per OCPI module: parse the wire, call the hub, answer with an envelope."""
