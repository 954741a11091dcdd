"""The desk's processes and their background work: the scheduler, enrichment, claims and
leases between processes, timed jobs (embargo release, expiry), and starting it all."""
