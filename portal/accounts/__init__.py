"""Accounts' screens: sign-in and sign-out, password links, the profile and its API tokens
(blueprint `auth`), and the vendor's audit log and outbox (blueprint `system`). The rules
they call live in portal.core."""
