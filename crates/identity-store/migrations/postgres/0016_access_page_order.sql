-- A page of a holder's access history is ordered by time and then id (newest
-- first, ties broken the same way every time, so a CSV export read a page at a
-- time never repeats or skips a record). With the id in the index the pages come
-- straight from it; without it each page sorted all of the holder's records
-- first (1.6 s for a 100,000-line export: docs/benchmarks.md).
DROP INDEX access_records_holder;
CREATE INDEX access_records_holder ON access_records (holder_id, at, id);
