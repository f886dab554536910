-- Identities requested before the selfcare existed get their credentials row
-- (PostgreSQL): level 1 active, or every level revoked for a revoked identity. Their
-- emergency code is issued when the holder recovers one from the selfcare.
INSERT INTO identity_credentials (identity_id, level1, level2, level3, totp_failures, notify_levels)
SELECT i.id,
       CASE WHEN i.state = 'revoked' THEN 'revoked' ELSE 'active' END,
       CASE WHEN i.state = 'revoked' THEN 'revoked' ELSE 'not_activated' END,
       CASE WHEN i.state = 'revoked' THEN 'revoked' ELSE 'not_activated' END,
       0,
       0
FROM identities i
WHERE NOT EXISTS (SELECT 1 FROM identity_credentials c WHERE c.identity_id = i.id);
