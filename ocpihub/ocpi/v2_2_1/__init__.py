"""Wire models of OCPI 2.2.1."""
