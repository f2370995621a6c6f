-- CQL2 ACCENTI (accent-insensitive comparison) in SQL, and trigram indexes to serve it: the same definition as the
-- records catalogue's Python accenti (hub.api.records.filters): NFD, combining marks removed, đ/Đ as d/D (they have
-- no decomposition), NFC. IMMUTABLE, so an expression index on hub_accenti(column) keeps `LIKE '%...%'` fast
-- (hub.catalog.ddl.index_search builds one per catalog column marked `search: true`).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE FUNCTION public.hub_accenti(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN normalize(translate(regexp_replace(normalize(value, NFD),
                                          '[\u0300-\u036F\u1AB0-\u1AFF\u1DC0-\u1DFF\u20D0-\u20FF\uFE20-\uFE2F]', '', 'g'),
                           'đĐ', 'dD'), NFC);

ALTER FUNCTION public.hub_accenti(text) OWNER TO hub_owner;
REVOKE ALL ON FUNCTION public.hub_accenti(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.hub_accenti(text) TO hub_owner, hub_etl, hub_analyst, hub_api;
