"""Competency evidence, ratings, self-assessments, prior-learning claims, review requests,
track progress and certificates."""
