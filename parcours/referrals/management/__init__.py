"""Management commands of the referrals module."""
