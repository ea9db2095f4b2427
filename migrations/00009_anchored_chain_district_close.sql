-- An anchored hash chain and period close per district (issues 13 and 12).
--
-- 1. Hash versions. An entry's content hash covered what the caller asked
--    for but not recorded_at, so moving an entry in time went unseen.
--    Version 2 covers recorded_at as well (ledger/entry.go says how); each
--    entry keeps the version it was hashed with, so entries hashed before
--    keep version 1 and still verify. Existing rows read the column's first
--    default (1, kept in the catalog: no table rewrite); new rows get 2.
--
-- 2. Anchors. Every period event records the chain's head when it happened
--    (the hash of the newest block, that block and the highest entry id
--    sealed), filled in by the database, not by the caller. A close also
--    requires every entry dated in its month to be sealed first (the ledger
--    seals under the month's lock before it closes), so the head a close
--    records covers the whole month, and an unsealed entry dated in a month
--    closed that way cannot have come through the posting path: the close
--    waited for every poster of that month and refuses all later ones. A
--    reopen requires the same, so such an entry keeps its month closed
--    rather than passing for one posted after the reopen.
--    `verify --expect HASH` and `verify --as-of-close YYYY-MM` check the
--    chain against such a hash.
--
-- 3. Period close per district. accounts.district is the budget unit an
--    account belongs to (funding sets it; NULL for city-level accounts). A
--    district closes its own month in district_periods; a posting to an
--    account of a district whose month is closed is refused (FL003) by a
--    statement trigger on postings, in the same transaction and with the
--    same month locks as the city-wide check of fl_entries_inserted. The
--    city-wide close still closes the month for every account, whatever its
--    district (the city closes after its districts, and closes any that
--    have not). While the city has a month closed, its districts cannot
--    close or reopen it: reopen the city first.
--
-- Functions replaced here: fl_period_event (00001) only. New: the trigger
-- functions fl_period_event_head, fl_postings_district_period.
-- New SQLSTATE: FL007 a close while entries of the month wait to be sealed.

-- +goose Up

-- IF NOT EXISTS: the upgrade test of 00008 (funding/budgetlines_upgrade_test.go)
-- writes books of schema 7 with today's ledger code, which needs the column.
ALTER TABLE entries ADD COLUMN IF NOT EXISTS hash_version smallint NOT NULL DEFAULT 1;
ALTER TABLE entries ADD CONSTRAINT entries_hash_version CHECK (hash_version IN (1, 2));
ALTER TABLE entries ALTER COLUMN hash_version SET DEFAULT 2;

ALTER TABLE period_events
    ADD COLUMN district text CONSTRAINT period_events_district
        CHECK (district IS NULL OR (btrim(district) <> '' AND length(district) <= 200)),
    ADD COLUMN head_hash text CONSTRAINT period_events_head_hash CHECK (head_hash ~ '^[0-9a-f]{64}$'),
    ADD COLUMN head_block_id bigint,
    ADD COLUMN head_entry_id bigint;
CREATE INDEX period_events_month ON period_events (period, district, id);

-- Which districts closed which months; like periods, changed only through
-- an insert into period_events.
CREATE TABLE district_periods (
    period    date NOT NULL CHECK (extract(day FROM period) = 1),
    district  text NOT NULL,
    closed    boolean NOT NULL DEFAULT false,
    PRIMARY KEY (period, district)
);
CREATE INDEX district_periods_closed ON district_periods (period) WHERE closed;
CREATE TRIGGER district_periods_derived BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON district_periods
    FOR EACH STATEMENT EXECUTE FUNCTION fl_derived_only();
-- The postings of closed districts are found from the district's accounts.
CREATE INDEX accounts_district ON accounts (district) WHERE district IS NOT NULL;

-- The head of the chain when a period event happens, recorded by the
-- database whatever the inserter wrote in those columns.
-- +goose StatementBegin
CREATE FUNCTION fl_period_event_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT b.id, b.hash INTO NEW.head_block_id, NEW.head_hash FROM chain_blocks b ORDER BY b.id DESC LIMIT 1;
    IF NEW.head_block_id IS NULL THEN
        NEW.head_hash := repeat('0', 64);  -- the genesis hash: nothing sealed yet
    END IF;
    NEW.head_entry_id := (SELECT max(entry_id) FROM chain_block_entries);
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER period_events_head BEFORE INSERT ON period_events
    FOR EACH ROW EXECUTE FUNCTION fl_period_event_head();

-- Closing or reopening a month, city-wide (district NULL) or for one
-- district. Both lock the month's row in periods FOR UPDATE: that waits for
-- every transaction posting into the month (they share-lock it) to commit,
-- and keeps new ones waiting until this one ends.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION fl_period_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    city_closed boolean;
    was_closed boolean;
    month text := to_char(NEW.period, 'YYYY-MM');
    pending bigint;
BEGIN
    IF NEW.at <> now() THEN
        RAISE EXCEPTION 'period events record when they happen; "at" cannot be set' USING ERRCODE = 'FL004';
    END IF;
    INSERT INTO periods (period) VALUES (NEW.period) ON CONFLICT DO NOTHING;
    SELECT closed INTO city_closed FROM periods WHERE period = NEW.period FOR UPDATE;
    -- The head recorded must cover the month: nothing of it may wait to be
    -- sealed (the ledger seals under this lock first). For a close that
    -- makes the head cover the whole month; for a reopen it means that an
    -- entry the sealer would not seal, found in a closed month (it cannot
    -- have been posted there), keeps the month closed instead of passing
    -- as posted after the reopen.
    SELECT min(e.id) INTO pending
      FROM tx_entries t JOIN entries e ON e.id BETWEEN t.min_id AND t.max_id AND e.created_txid = t.txid
     WHERE e.effective_date >= NEW.period AND e.effective_date < (NEW.period + interval '1 month');
    IF pending IS NOT NULL THEN
        RAISE EXCEPTION 'period % cannot be % while its entries (e.g. entry %) wait to be sealed into the chain; seal first (an entry the seal holds back must be investigated)',
            month, CASE NEW.action WHEN 'close' THEN 'closed' ELSE 'reopened' END, pending
            USING ERRCODE = 'FL007';
    END IF;
    IF NEW.district IS NULL THEN
        IF NEW.action = 'close' AND city_closed THEN
            RAISE EXCEPTION 'period % is already closed', month USING ERRCODE = 'FL003';
        ELSIF NEW.action = 'reopen' AND NOT city_closed THEN
            RAISE EXCEPTION 'period % is not closed', month USING ERRCODE = 'FL003';
        END IF;
        UPDATE periods SET closed = (NEW.action = 'close') WHERE period = NEW.period;
        RETURN NEW;
    END IF;
    IF city_closed THEN
        RAISE EXCEPTION 'period % is closed city-wide; a district can % it only after the city reopens it', month, NEW.action
            USING ERRCODE = 'FL003';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM accounts WHERE district = NEW.district) THEN
        RAISE EXCEPTION 'no account belongs to district %', NEW.district USING ERRCODE = '23503';
    END IF;
    INSERT INTO district_periods (period, district) VALUES (NEW.period, NEW.district) ON CONFLICT DO NOTHING;
    SELECT closed INTO was_closed FROM district_periods WHERE period = NEW.period AND district = NEW.district FOR UPDATE;
    IF NEW.action = 'close' AND was_closed THEN
        RAISE EXCEPTION 'period % is already closed for district %', month, NEW.district USING ERRCODE = 'FL003';
    ELSIF NEW.action = 'reopen' AND NOT was_closed THEN
        RAISE EXCEPTION 'period % is not closed for district %', month, NEW.district USING ERRCODE = 'FL003';
    END IF;
    UPDATE district_periods SET closed = (NEW.action = 'close') WHERE period = NEW.period AND district = NEW.district;
    RETURN NEW;
END $$;
-- +goose StatementEnd

-- New postings: refuse those on accounts of a district whose month is
-- closed. It share-locks the months itself (fl_entries_inserted does too,
-- but when entries and postings are written by one statement nothing says
-- which of the two triggers runs first), so a concurrent close waits for
-- this transaction, and this check sees every close committed before it.
-- The common case is one aggregate pass over the new rows and an index
-- probe that finds no closed district in those months; only then does one
-- set-based join (closed districts → their accounts → the new postings,
-- hashed) look for the posting to name.
-- +goose StatementBegin
CREATE FUNCTION fl_postings_district_period() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    lo date;
    hi date;
    bad record;
BEGIN
    SELECT date_trunc('month', min(effective_date))::date, date_trunc('month', max(effective_date))::date
      INTO lo, hi FROM new_postings;
    IF lo IS NULL THEN
        RETURN NULL;
    END IF;
    -- The months' rows exist already when the entries were inserted by an
    -- earlier statement (their trigger adds them); only when one in the
    -- range is missing does a second pass find the months to add.
    IF lo = hi THEN
        INSERT INTO periods (period) VALUES (lo) ON CONFLICT DO NOTHING;
    ELSIF (SELECT count(*) FROM periods WHERE period BETWEEN lo AND hi)
          <= (extract(year FROM age(hi, lo)) * 12 + extract(month FROM age(hi, lo))) THEN
        INSERT INTO periods (period)
            SELECT DISTINCT date_trunc('month', effective_date)::date FROM new_postings ORDER BY 1
            ON CONFLICT DO NOTHING;
    END IF;
    PERFORM 1 FROM periods WHERE period BETWEEN lo AND hi ORDER BY period FOR SHARE;
    IF NOT EXISTS (SELECT 1 FROM district_periods WHERE closed AND period BETWEEN lo AND hi) THEN
        RETURN NULL;
    END IF;
    SELECT p.entry_id, a.code, a.district, d.period INTO bad
      FROM district_periods d
      JOIN accounts a ON a.district = d.district
      JOIN new_postings p ON p.account_id = a.id
                         AND p.effective_date >= d.period AND p.effective_date < (d.period + interval '1 month')::date
     WHERE d.closed AND d.period BETWEEN lo AND hi
     ORDER BY p.entry_id, a.code LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'entry % (key %) posts to account % of district %, whose period % is closed',
            bad.entry_id, (SELECT idempotency_key FROM entries WHERE id = bad.entry_id), bad.code, bad.district,
            to_char(bad.period, 'YYYY-MM') USING ERRCODE = 'FL003';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER postings_district_period AFTER INSERT ON postings
    REFERENCING NEW TABLE AS new_postings
    FOR EACH STATEMENT EXECUTE FUNCTION fl_postings_district_period();
