"""HTTP layer of sign-in security: TOTP enrolment and verification, OIDC, DT settings."""
