"""HTTP layer of data protection: access log, retention, rights of the person, purposes."""
