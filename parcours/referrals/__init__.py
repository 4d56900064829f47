"""Partner schemes, eligibility, referrals and their seats (issue 4)."""
