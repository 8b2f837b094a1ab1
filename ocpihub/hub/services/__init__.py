"""What the hub does for each OCPI module: one service module per module, called by its
handler with the collaborators it needs (database, directory, the relay) as arguments. Services
open the transactions, call the store and the outbox, and make the synchronous hops; the
decisions they carry out are the pure policies beside them in ``hub/``."""
