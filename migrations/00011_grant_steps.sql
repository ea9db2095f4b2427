-- Awards and rewards in the order things happen (issue 19): the database
-- refuses a step of a utility facility's 以奖代补 award or of a
-- property-management reward that comes before the step it depends on, by
-- sequence and by date, so that raw SQL cannot record them out of order
-- either. funding checks the same first, to say it in a person's words;
-- these triggers are the backstop (and close the races between two
-- requests).
--
-- Utility facilities: register → commit → (project completed) → transfer
-- → pay; a cost correction comes after the commitment and before the award
-- is paid or the contribution is recorded; the contribution is recorded
-- (received in cash, or in kind when the utility does the works itself)
-- after the commitment. Every step is dated no earlier than the step
-- before it.
--
-- Property rewards: a period's score (version 1) and its corrections
-- (versions 2, 3 …, each with a reason) → payment. Periods of one project
-- do not overlap (2021, 2021-H1, 2021-Q3 do), a score is not dated before
-- its period begins, a payment not before the score in force.
--
-- SQLSTATEs raised here (funding/errors.go maps them):
--   FG001 a step out of order (the message names the step and both dates)
--   FG002 overlapping reward periods of one project
--   FG003 a period that is not one of YYYY, YYYY-H1/H2, YYYY-Q1..Q4, YYYY-MM
--   FG004 already paid

-- +goose Up

-- +goose StatementBegin
-- The days a reward period covers, as a half-open range.
CREATE FUNCTION fl_period_range(period text) RETURNS daterange
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    y    integer;
    rest text;
    s    date;
BEGIN
    IF period !~ '^[0-9]{4}(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$' THEN
        RAISE EXCEPTION 'period %: want YYYY, YYYY-H1, YYYY-H2, YYYY-Q1 … YYYY-Q4 or YYYY-MM (01 to 12)', period
            USING ERRCODE = 'FG003';
    END IF;
    y := substr(period, 1, 4)::integer;
    rest := substr(period, 6);
    IF rest = '' THEN
        RETURN daterange(make_date(y, 1, 1), make_date(y + 1, 1, 1));
    ELSIF rest LIKE 'H%' THEN
        s := make_date(y, (substr(rest, 2)::integer - 1) * 6 + 1, 1);
        RETURN daterange(s, (s + interval '6 months')::date);
    ELSIF rest LIKE 'Q%' THEN
        s := make_date(y, (substr(rest, 2)::integer - 1) * 3 + 1, 1);
        RETURN daterange(s, (s + interval '3 months')::date);
    END IF;
    s := make_date(y, rest::integer, 1);
    RETURN daterange(s, (s + interval '1 month')::date);
END $$;
-- +goose StatementEnd

-- Facility events: a cost correction (with its reason) and the utility's
-- contribution recorded, in cash (bank account) or in kind.
ALTER TABLE utility_facility_events DROP CONSTRAINT utility_facility_events_kind_check;
ALTER TABLE utility_facility_events
    ADD CONSTRAINT utility_facility_events_kind_check
        CHECK (kind IN ('owner', 'committed', 'corrected', 'transferred', 'contributed', 'paid')),
    ADD COLUMN cost numeric CHECK (cost > 0 AND cost = round(cost, 2)),
    ADD COLUMN reason text NOT NULL DEFAULT '',
    ADD COLUMN in_kind boolean,
    ADD COLUMN bank_account text REFERENCES bank_accounts (code),
    ADD CONSTRAINT utility_facility_events_correction
        CHECK (kind <> 'corrected' OR (reason <> '' AND cost IS NOT NULL AND award IS NOT NULL AND contribution IS NOT NULL)),
    ADD CONSTRAINT utility_facility_events_contribution
        CHECK (kind <> 'contributed' OR (in_kind IS NOT NULL AND contribution > 0 AND (in_kind OR bank_account IS NOT NULL)));
CREATE UNIQUE INDEX utility_facility_events_contributed_once ON utility_facility_events (facility) WHERE kind = 'contributed';

-- +goose StatementBegin
CREATE FUNCTION fl_facility_event_order() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    reg          date;
    proj         text;
    committed_on date;
    money_on     date;  -- the latest commitment or correction
    transfer_on  date;
    paid_on      date;
    given_on     date;
    completed_on date;
BEGIN
    -- One event of a facility at a time: lock the facility.
    SELECT registered_on, project INTO reg, proj FROM utility_facilities WHERE code = NEW.facility FOR UPDATE;
    IF NOT FOUND THEN
        RETURN NEW;  -- the foreign key refuses it
    END IF;
    IF NEW.effective_on < reg THEN
        RAISE EXCEPTION 'utility facility %: % on % is before the registration on %', NEW.facility, NEW.kind, NEW.effective_on, reg
            USING ERRCODE = 'FG001';
    END IF;
    SELECT max(effective_on) FILTER (WHERE kind = 'committed'),
           max(effective_on) FILTER (WHERE kind IN ('committed', 'corrected')),
           max(effective_on) FILTER (WHERE kind = 'transferred'),
           max(effective_on) FILTER (WHERE kind = 'paid'),
           max(effective_on) FILTER (WHERE kind = 'contributed')
      INTO committed_on, money_on, transfer_on, paid_on, given_on
      FROM utility_facility_events WHERE facility = NEW.facility;
    IF NEW.kind = 'owner' THEN
        IF EXISTS (SELECT 1 FROM utility_facility_events WHERE facility = NEW.facility) THEN
            RAISE EXCEPTION 'utility facility %: the owner is set at registration; a later owner is a transfer', NEW.facility
                USING ERRCODE = 'FG001';
        END IF;
    ELSIF NEW.kind = 'committed' THEN
        IF transfer_on IS NOT NULL THEN
            RAISE EXCEPTION 'utility facility %: commitment on % after the transfer recorded on %; the commitment comes first',
                NEW.facility, NEW.effective_on, transfer_on USING ERRCODE = 'FG001';
        END IF;
    ELSIF NEW.kind IN ('corrected', 'transferred', 'contributed', 'paid') THEN
        IF committed_on IS NULL THEN
            RAISE EXCEPTION 'utility facility %: % on % before any commitment; commit it first', NEW.facility, NEW.kind, NEW.effective_on
                USING ERRCODE = 'FG001';
        END IF;
        IF NEW.effective_on < money_on THEN
            RAISE EXCEPTION 'utility facility %: % on % is before the commitment (or its latest correction) on %',
                NEW.facility, NEW.kind, NEW.effective_on, money_on USING ERRCODE = 'FG001';
        END IF;
        IF NEW.kind = 'corrected' AND paid_on IS NOT NULL THEN
            RAISE EXCEPTION 'utility facility %: correction on %: the award was paid on %', NEW.facility, NEW.effective_on, paid_on
                USING ERRCODE = 'FG004';
        END IF;
        IF NEW.kind = 'corrected' AND given_on IS NOT NULL THEN
            RAISE EXCEPTION 'utility facility %: correction on %: the contribution was recorded on %', NEW.facility, NEW.effective_on, given_on
                USING ERRCODE = 'FG004';
        END IF;
        IF NEW.kind = 'transferred' THEN
            SELECT min(effective_on) INTO completed_on FROM project_events
             WHERE project = proj AND status IN ('completed', 'accepted');
            IF completed_on IS NULL OR NEW.effective_on < completed_on THEN
                RAISE EXCEPTION 'utility facility %: transfer on % before the completion of project % (%)', NEW.facility, NEW.effective_on, proj,
                    coalesce(completed_on::text, 'not completed') USING ERRCODE = 'FG001';
            END IF;
        END IF;
        IF NEW.kind = 'paid' AND (transfer_on IS NULL OR NEW.effective_on < transfer_on) THEN
            RAISE EXCEPTION 'utility facility %: award paid on % before the ownership transfer (%)', NEW.facility, NEW.effective_on,
                coalesce(transfer_on::text, 'none recorded') USING ERRCODE = 'FG001';
        END IF;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER utility_facility_events_order BEFORE INSERT ON utility_facility_events
    FOR EACH ROW EXECUTE FUNCTION fl_facility_event_order();

-- Property scores: versions (a correction is a new version with a reason).
ALTER TABLE property_scores
    DROP CONSTRAINT property_scores_project_period_key,
    ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version > 0),
    ADD COLUMN reason text NOT NULL DEFAULT '',
    ADD CONSTRAINT property_scores_version_key UNIQUE (project, period, version),
    ADD CONSTRAINT property_scores_correction_reason CHECK (version = 1 OR reason <> '');

-- A reward paid, once per project and period.
CREATE TABLE property_reward_payments (
    project            text NOT NULL REFERENCES projects (code),
    period             text NOT NULL,
    version            integer NOT NULL,  -- the score version paid
    paid_on            date NOT NULL,
    amount             numeric NOT NULL CHECK (amount > 0 AND amount = round(amount, 2)),
    bank_account       text NOT NULL REFERENCES bank_accounts (code),
    reference          text NOT NULL DEFAULT '',
    entry_id           bigint NOT NULL REFERENCES entries (id),  -- budget book
    financial_entry_id bigint NOT NULL REFERENCES entries (id),
    actor              text NOT NULL CHECK (actor <> ''),
    at                 timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project, period),
    FOREIGN KEY (project, period, version) REFERENCES property_scores (project, period, version)
);

-- Rewards paid before this migration (the ledger has their entries).
INSERT INTO property_reward_payments (project, period, version, paid_on, amount, bank_account, reference, entry_id, financial_entry_id, actor)
SELECT b.metadata->>'project', b.metadata->>'period', 1, b.effective_date, s.reward, b.metadata->>'bank_account',
       coalesce(b.metadata->>'reference', ''), b.id, f.id, b.actor
  FROM entries b
  JOIN entries f ON f.idempotency_key = replace(b.idempotency_key, ':paid/budget', ':paid/financial')
  JOIN property_scores s ON s.project = b.metadata->>'project' AND s.period = b.metadata->>'period'
 WHERE b.book = 'budget' AND b.metadata->>'kind' = 'property_reward_payment' AND b.idempotency_key LIKE 'reward:%:paid/budget'
   AND s.reward > 0 AND EXISTS (SELECT 1 FROM bank_accounts a WHERE a.code = b.metadata->>'bank_account');

-- +goose StatementBegin
CREATE FUNCTION fl_property_score_order() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r        daterange := fl_period_range(NEW.period);
    other    text;
    prev_on  date;
    paid     date;
BEGIN
    -- One score of a project at a time: lock the project.
    PERFORM 1 FROM projects WHERE code = NEW.project FOR UPDATE;
    IF NEW.scored_on < lower(r) THEN
        RAISE EXCEPTION 'property score of % for %: scored on % before the period begins on %', NEW.project, NEW.period, NEW.scored_on, lower(r)
            USING ERRCODE = 'FG001';
    END IF;
    -- A new period (version 1) may not overlap another; a correction adds
    -- no period (scores recorded before this migration may overlap: they
    -- can still be corrected).
    IF NEW.version = 1 THEN
        SELECT period INTO other FROM property_scores
         WHERE project = NEW.project AND period <> NEW.period AND fl_period_range(period) && r
         ORDER BY period LIMIT 1;
    END IF;
    IF other IS NOT NULL THEN
        RAISE EXCEPTION 'property score of % for %: the period overlaps % already scored', NEW.project, NEW.period, other
            USING ERRCODE = 'FG002';
    END IF;
    IF NEW.version > 1 THEN
        SELECT scored_on INTO prev_on FROM property_scores WHERE project = NEW.project AND period = NEW.period AND version = NEW.version - 1;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'property score of % for %: version % without version %', NEW.project, NEW.period, NEW.version, NEW.version - 1
                USING ERRCODE = 'FG001';
        END IF;
        IF NEW.scored_on < prev_on THEN
            RAISE EXCEPTION 'property score of % for %: correction on % before the score it corrects (%)', NEW.project, NEW.period, NEW.scored_on, prev_on
                USING ERRCODE = 'FG001';
        END IF;
        SELECT paid_on INTO paid FROM property_reward_payments WHERE project = NEW.project AND period = NEW.period;
        IF FOUND THEN
            RAISE EXCEPTION 'property score of % for %: correction on %: the reward was paid on %', NEW.project, NEW.period, NEW.scored_on, paid
                USING ERRCODE = 'FG004';
        END IF;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER property_scores_order BEFORE INSERT ON property_scores
    FOR EACH ROW EXECUTE FUNCTION fl_property_score_order();

-- +goose StatementBegin
CREATE FUNCTION fl_property_reward_payment_order() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    s property_scores%ROWTYPE;
BEGIN
    SELECT * INTO s FROM property_scores WHERE project = NEW.project AND period = NEW.period ORDER BY version DESC LIMIT 1 FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'property reward of % for %: paid on % without a score', NEW.project, NEW.period, NEW.paid_on
            USING ERRCODE = 'FG001';
    END IF;
    IF NEW.version <> s.version OR NEW.amount <> s.reward THEN
        RAISE EXCEPTION 'property reward of % for %: the payment (version %, %) is not the reward in force (version %, %)',
            NEW.project, NEW.period, NEW.version, NEW.amount, s.version, s.reward USING ERRCODE = 'FG001';
    END IF;
    IF NEW.paid_on < s.scored_on THEN
        RAISE EXCEPTION 'property reward of % for %: paid on % before the score in force (%)', NEW.project, NEW.period, NEW.paid_on, s.scored_on
            USING ERRCODE = 'FG001';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER property_reward_payments_order BEFORE INSERT ON property_reward_payments
    FOR EACH ROW EXECUTE FUNCTION fl_property_reward_payment_order();
CREATE TRIGGER property_reward_payments_append_only BEFORE UPDATE OR DELETE ON property_reward_payments
    FOR EACH ROW EXECUTE FUNCTION fl_append_only();
