-- The retention job forgets the proofing records of identities revoked long ago.
-- It looked for them through the state index, reading every revoked identity's
-- row each hour (3.4 s at a million holders, holding SQLite's writer); this
-- partial index holds only the identities that still keep a proofing record.
CREATE INDEX identities_proofing_to_forget ON identities (revoked_at)
    WHERE state = 'revoked' AND proofing IS NOT NULL;
