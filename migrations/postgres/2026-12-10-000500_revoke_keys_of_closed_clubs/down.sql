-- The keys stay revoked: nothing to undo.
SELECT 1;
