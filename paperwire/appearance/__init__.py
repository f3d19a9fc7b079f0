"""A reader's appearance choices: the light or dark theme, per browser (cookie) and per member."""
