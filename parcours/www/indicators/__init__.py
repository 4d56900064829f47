"""HTTP layer of the figures: dashboard, exports, approvals, sending log and recipients."""
