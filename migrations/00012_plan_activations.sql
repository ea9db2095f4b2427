-- Plan imports: which import is the plan in force is recorded, not
-- inferred from the newest id, so an earlier import can be made current
-- again (plan use, or re-importing its content); a file whose 总计 rows
-- disagree with its district rows is stored only with the reason a person
-- gave for accepting it.

-- +goose Up

-- The reason given for accepting a file whose control totals disagree;
-- NULL for a file whose totals agree (the only kind stored before 00012).
ALTER TABLE plan_imports ADD COLUMN control_total_accepted text
    CHECK (control_total_accepted IS NULL OR btrim(control_total_accepted) <> '');

-- Every time an import became the plan in force: on import, on
-- re-import of the same content, on `plan use`. The newest row names the
-- plan in force. Append-only.
CREATE TABLE plan_activations (
    id           bigserial PRIMARY KEY,
    import_id    bigint NOT NULL REFERENCES plan_imports (id),
    how          text NOT NULL CHECK (how IN ('import', 're-import', 'use')),
    reason       text NOT NULL DEFAULT '',
    activated_at timestamptz NOT NULL DEFAULT now(),
    activated_by text NOT NULL CHECK (btrim(activated_by) <> '')
);
CREATE INDEX plan_activations_import ON plan_activations (import_id);
CREATE TRIGGER plan_activations_append_only BEFORE UPDATE OR DELETE ON plan_activations
    FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER plan_activations_no_truncate BEFORE TRUNCATE ON plan_activations
    FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();

-- Imports stored before: each became the plan in force when imported.
INSERT INTO plan_activations (import_id, how, activated_at, activated_by)
SELECT id, 'import', imported_at, imported_by FROM plan_imports ORDER BY id;

