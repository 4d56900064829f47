"""Template helpers of the referrals area."""
