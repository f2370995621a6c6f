-- meta.issue takes one row per finding: on an old file that can be one per source row. Its foreign key checked
-- every row with a query of its own (~5 µs a row: more than writing the row). The same guarantees are kept
-- per statement instead: a COPY of findings is checked once against meta.load, deleting a load deletes its
-- findings, and load ids never change.
SET ROLE hub_owner;

ALTER TABLE meta.issue DROP CONSTRAINT issue_load_id_fkey;

CREATE FUNCTION meta.issue_load_exists() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM (SELECT DISTINCT load_id FROM new_issues) n
             WHERE NOT EXISTS (SELECT 1 FROM meta.load l WHERE l.load_id = n.load_id)) THEN
    RAISE EXCEPTION 'a finding refers to a load that is not in meta.load' USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER issue_load_exists_ins AFTER INSERT ON meta.issue REFERENCING NEW TABLE AS new_issues
  FOR EACH STATEMENT EXECUTE FUNCTION meta.issue_load_exists();
CREATE TRIGGER issue_load_exists_upd AFTER UPDATE ON meta.issue REFERENCING NEW TABLE AS new_issues
  FOR EACH STATEMENT EXECUTE FUNCTION meta.issue_load_exists();

CREATE FUNCTION meta.load_delete_issues() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM meta.issue WHERE load_id IN (SELECT load_id FROM old_loads);
  RETURN NULL;
END $$;

CREATE TRIGGER load_delete_issues AFTER DELETE ON meta.load REFERENCING OLD TABLE AS old_loads
  FOR EACH STATEMENT EXECUTE FUNCTION meta.load_delete_issues();

CREATE FUNCTION meta.load_id_is_permanent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'load ids are permanent (findings refer to them)' USING ERRCODE = 'foreign_key_violation';
END $$;

CREATE TRIGGER load_id_is_permanent BEFORE UPDATE OF load_id ON meta.load
  FOR EACH ROW WHEN (OLD.load_id IS DISTINCT FROM NEW.load_id) EXECUTE FUNCTION meta.load_id_is_permanent();

RESET ROLE;
