"""HTTP layer of the reception day (PFA): planning, day sheet, convocations, worklists, summary."""
