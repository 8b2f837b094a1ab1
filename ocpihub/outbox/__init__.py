"""Durable delivery: the transactional outbox, its retry policy and the delivery worker.

Producers call :func:`ocpihub.outbox.enqueue.enqueue` inside the transaction that stores the
object; the :class:`ocpihub.outbox.worker.DeliveryWorker` of every hub process claims due items,
translates them for the receiver and sends them. ``retry.py`` is the pure policy.
"""
