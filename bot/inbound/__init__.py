"""Inbound events, stored first and applied after ("ack first, then work", made durable).

A platform callback is verified and parsed by its adapter, then ``accept`` stores the neutral event
in one ``INSERT … ON CONFLICT (key) DO NOTHING`` (the dedupe) and the platform gets its 200; a
wake-up (one Redis ``PUBLISH``) tells the worker, whose ``Applier`` claims the event and runs the
``EventSink`` (the router). A sweep (arq cron) applies whatever a lost wake-up or a dead worker
left pending. One sender's events apply in the order received; different senders in parallel.
"""
