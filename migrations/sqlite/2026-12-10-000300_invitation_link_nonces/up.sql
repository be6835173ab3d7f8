-- The nonce each invitation token was derived from (URL-safe base64 of 32
-- random bytes). The token is HMAC-SHA256(link key, nonce), the link key
-- coming from the server secret, which the database does not hold: with the
-- nonce the server can show a pending invitation's link again, while a copy
-- of the database still cannot produce a token. NULL for tokens made before
-- this column came: their links cannot be shown again.
ALTER TABLE invitation_tokens ADD COLUMN link_nonce TEXT;
