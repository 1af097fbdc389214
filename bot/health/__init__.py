"""Is the system up? Process heartbeats in Redis, the readiness checks shared by ``/readyz`` and
`tiji doctor`, and the Prometheus metrics of each process."""
