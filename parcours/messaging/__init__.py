"""Messages to convoked persons: e-mails, SMS, reminders and their own page (issue 18)."""
