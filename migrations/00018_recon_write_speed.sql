-- Reconciliation runs write their matches for less (issue 15): the same
-- checks as 00004's statement triggers, each reading its transition table
-- once.
--
-- Measured on 200,000 new items (EXPLAIN ANALYZE inside the trigger): the
-- items check of 00004 grouped the items by match (a hash aggregate that
-- spilled to disk beyond work_mem, and handed the matches to the join in
-- hash order, so each index probe landed on a cold page), then read the
-- items again for the active flag. Here one anti-join walks the items in
-- the order they were written, probing the matches' primary key, and
-- tests the active flag on the way: about a quarter of the time. The
-- matches check read its transition table twice (accounts, then runs);
-- here once, into the few (account, run) pairs, which both checks read.
--
-- What is refused is unchanged: items go only into matches created by the
-- same transaction, and are active when added; matches name an existing
-- bank account (locked) and, when made by a run, an existing run of that
-- account. Messages and SQLSTATEs are 00004's.

-- +goose Up

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION fl_recon_items_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    SELECT n.match_id, n.active INTO bad
      FROM new_items n
      LEFT JOIN recon_matches m ON m.id = n.match_id AND m.created_txid = pg_current_xact_id()
     WHERE m.id IS NULL OR NOT n.active
     LIMIT 1;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM recon_matches WHERE id = bad.match_id) THEN
        RAISE EXCEPTION 'match item refused: match % does not exist', bad.match_id USING ERRCODE = '23503';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM recon_matches WHERE id = bad.match_id AND created_txid = pg_current_xact_id()) THEN
        RAISE EXCEPTION 'match item refused: match % is committed; items are added only by the transaction that creates the match',
            bad.match_id USING ERRCODE = 'FR002';
    END IF;
    RAISE EXCEPTION 'match item refused: an item is inactive only once its match is revoked' USING ERRCODE = 'FR002';
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION fl_recon_matches_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pairs jsonb;
    bad record;
BEGIN
    -- The (bank account, run) pairs of the new matches: one read of them.
    SELECT coalesce(jsonb_agg(jsonb_build_object('bank_account', bank_account, 'run_id', run_id)), '[]') INTO pairs
      FROM (SELECT bank_account, run_id FROM new_matches GROUP BY bank_account, run_id) g;
    PERFORM 1 FROM bank_accounts b
      JOIN (SELECT DISTINCT x.bank_account FROM jsonb_to_recordset(pairs) AS x (bank_account text, run_id bigint)) x
        ON x.bank_account = b.code
     ORDER BY b.code FOR NO KEY UPDATE OF b;
    SELECT x.bank_account INTO bad
      FROM jsonb_to_recordset(pairs) AS x (bank_account text, run_id bigint)
     WHERE NOT EXISTS (SELECT 1 FROM bank_accounts b WHERE b.code = x.bank_account)
     ORDER BY x.bank_account
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'match refused: bank account % does not exist', bad.bank_account USING ERRCODE = '23503';
    END IF;
    SELECT x.run_id, x.bank_account, r.id IS NULL AS no_run INTO bad
      FROM jsonb_to_recordset(pairs) AS x (bank_account text, run_id bigint)
      LEFT JOIN recon_runs r ON r.id = x.run_id
     WHERE x.run_id IS NOT NULL AND (r.id IS NULL OR r.bank_account <> x.bank_account)
     LIMIT 1;
    IF FOUND THEN
        IF bad.no_run THEN
            RAISE EXCEPTION 'match refused: run % does not exist', bad.run_id USING ERRCODE = '23503';
        END IF;
        RAISE EXCEPTION 'match refused: run % is not a run of bank account %', bad.run_id, bad.bank_account
            USING ERRCODE = 'FR002';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
