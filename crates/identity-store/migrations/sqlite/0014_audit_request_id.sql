-- The HTTP request that caused an audit record (its x-request-id), to follow one
-- request from the log to the records it wrote. Empty outside a request.
ALTER TABLE audit_log ADD COLUMN request_id TEXT;
CREATE INDEX audit_request ON audit_log (request_id);
