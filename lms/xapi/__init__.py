"""xAPI 1.0.3 both ways: statements about enrolments, attendance, results and ratings sent to
a learning record store through the HTTP outbox, and completions reported by other platforms
(``POST /api/v1/xapi/statements``) recorded as passes of our courses."""
