"""The disclosure board (居务公开): notices in the six categories of the Shanghai Residents'
Committee regulation (Art. 17), with a publication period, pins, attachments and read receipts;
sections other apps add to the board (``board.register_section``); a public view without
personal data."""
