"""Open Badges for completed tracks: 2.0 hosted assertions and 3.0 signed credentials."""
