-- Indexes the calendar jobs need at a national provider's size (found by the query
-- plan test, tools/scale/tests/query_plans.rs). The retention job deletes sessions
-- idle or older than the session policy allows: without these it read them all.
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);
CREATE INDEX sessions_created ON sessions (created_at);
-- The inactivity job's candidates: live identities by their last use (or their
-- activation when never used), the expression its query compares.
CREATE INDEX identities_unused_since ON identities (state, COALESCE(last_used_at, activated_at));
