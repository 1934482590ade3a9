"""What the backbone families share: the backbone skeleton and the
state-dict helpers."""
