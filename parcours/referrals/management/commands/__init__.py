"""Commands: expire stale referrals and remind partners."""
