-- The SPID levels a service provider may ask for (a JSON array of 1, 2, 3).
ALTER TABLE service_providers ADD COLUMN allowed_levels TEXT NOT NULL DEFAULT '[1,2,3]';
