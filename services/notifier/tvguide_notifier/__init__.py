"""The notifier: availability alerts for the viewers who watchlisted a title."""
