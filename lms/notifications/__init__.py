"""In-app notifications with per-kind email preferences."""
