"""Webhooks: an administrator subscribes a partner's address to events, which are posted to
it through the HTTP outbox with an HMAC signature."""
