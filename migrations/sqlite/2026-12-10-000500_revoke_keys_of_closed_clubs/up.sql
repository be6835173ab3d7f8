-- Closing a club now revokes its API keys; clubs closed before keep none live either.
UPDATE api_keys
SET revoked_at = (SELECT organizations.closed_at FROM organizations WHERE organizations.org_id = api_keys.org_id)
WHERE revoked_at IS NULL
  AND EXISTS (
    SELECT 1 FROM organizations WHERE organizations.org_id = api_keys.org_id AND organizations.closed_at IS NOT NULL
  );
