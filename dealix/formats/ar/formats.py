"""Arabic date formats Django's own locale leaves out: without them a date and time falls back to the
English pattern and reads "نوفمبر 26, 2026, 12:26 م". Every other format comes from Django's Arabic locale."""
DATETIME_FORMAT = "j F Y، g:i A"
SHORT_DATETIME_FORMAT = "d‏/m‏/Y g:i A"
