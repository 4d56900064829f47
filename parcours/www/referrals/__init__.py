"""HTTP layer of the referrals module: directory, eligibility, referrals, inbox, sessions."""
