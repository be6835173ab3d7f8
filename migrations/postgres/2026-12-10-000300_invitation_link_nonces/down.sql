ALTER TABLE invitation_tokens DROP COLUMN link_nonce;
