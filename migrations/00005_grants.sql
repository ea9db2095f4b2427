-- Grants: elevator retrofit applications (加装电梯) with their grants and the
-- residents' share per household, utility facilities and their 以奖代补
-- awards and ownership, property-management scores and rewards, district
-- evaluation scores and the allocation of a year's pool over districts.
-- Money lives only in the ledger's entries; these tables say what the
-- entries are about. Every table is append-only: a status change, a new
-- owner, a re-computation is a new row.

-- +goose Up

-- One application per building unit (单元).
CREATE TABLE elevator_applications (
    code                 text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    project              text NOT NULL REFERENCES projects (code),
    building             text NOT NULL CHECK (building <> ''),
    unit                 text NOT NULL CHECK (unit <> ''),
    -- households on each floor, ground floor first
    households_per_floor integer[] NOT NULL
        CHECK (cardinality(households_per_floor) BETWEEN 1 AND 100 AND 0 <= ALL (households_per_floor) AND 50 >= ALL (households_per_floor)),
    elevators            integer NOT NULL DEFAULT 1 CHECK (elevators BETWEEN 1 AND 100),
    estimated_cost       numeric NOT NULL CHECK (estimated_cost > 0 AND estimated_cost = round(estimated_cost, 2)),
    estimated_pipe_cost  numeric NOT NULL DEFAULT 0 CHECK (estimated_pipe_cost >= 0 AND estimated_pipe_cost = round(estimated_pipe_cost, 2)),
    -- contributions other than grant and residents (maintenance fund, public income …)
    other_contributions  numeric NOT NULL DEFAULT 0 CHECK (other_contributions >= 0 AND other_contributions = round(other_contributions, 2)),
    owners_total         integer NOT NULL CHECK (owners_total > 0),
    owners_participating integer NOT NULL CHECK (owners_participating BETWEEN 0 AND owners_total),
    owners_approving     integer NOT NULL CHECK (owners_approving BETWEEN 0 AND owners_participating),
    area_total_m2        numeric NOT NULL CHECK (area_total_m2 > 0),
    area_participating_m2 numeric NOT NULL CHECK (area_participating_m2 >= 0 AND area_participating_m2 <= area_total_m2),
    area_approving_m2    numeric NOT NULL CHECK (area_approving_m2 >= 0 AND area_approving_m2 <= area_participating_m2),
    applied_on           date NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    created_by           text NOT NULL CHECK (created_by <> ''),
    UNIQUE (project, building, unit)
);

-- What happened to an application: approved (grant committed on the
-- estimated cost), refused (consent missed), accepted (竣工验收: grant
-- re-computed on the final cost), paid (grant paid). Each money event
-- records the rule set, the amounts and the entry that posted them.
CREATE TABLE elevator_events (
    id              bigserial PRIMARY KEY,
    application     text NOT NULL REFERENCES elevator_applications (code),
    kind            text NOT NULL CHECK (kind IN ('approved', 'refused', 'accepted', 'paid')),
    effective_on    date NOT NULL,
    rule_set_id     bigint REFERENCES rule_sets (id),
    cost            numeric CHECK (cost > 0 AND cost = round(cost, 2)),
    pipe_cost       numeric CHECK (pipe_cost >= 0 AND pipe_cost = round(pipe_cost, 2)),
    grant_total     numeric CHECK (grant_total >= 0 AND grant_total = round(grant_total, 2)),
    residents_share numeric CHECK (residents_share >= 0 AND residents_share = round(residents_share, 2)),
    explanation     jsonb NOT NULL DEFAULT '{}',
    entry_id        bigint REFERENCES entries (id),  -- budget book: the grant's commitment or payment
    financial_entry_id bigint REFERENCES entries (id),  -- financial book: residents' share or grant payment
    actor           text NOT NULL CHECK (actor <> ''),
    note            text NOT NULL DEFAULT '',
    at              timestamptz NOT NULL DEFAULT now(),
    CHECK (kind = 'refused' OR rule_set_id IS NOT NULL)
);
-- Approved, accepted and paid once each: a race or a replay cannot do it twice.
CREATE UNIQUE INDEX elevator_events_once ON elevator_events (application, kind) WHERE kind <> 'refused';
CREATE INDEX elevator_events_application ON elevator_events (application, id);

-- The grant of a money event per part and source (the amounts then in force).
CREATE TABLE elevator_grant_shares (
    event_id  bigint NOT NULL REFERENCES elevator_events (id),
    part      text NOT NULL CHECK (part IN ('grant', 'pipe_relocation')),
    source    text NOT NULL,
    amount    numeric NOT NULL CHECK (amount >= 0 AND amount = round(amount, 2)),
    PRIMARY KEY (event_id, part, source)
);

-- The residents' share per household as apportioned at a money event
-- (the latest event's rows are in force): the per-household sub-ledger of
-- the application's receivable account.
CREATE TABLE elevator_household_shares (
    event_id    bigint NOT NULL REFERENCES elevator_events (id),
    household   text NOT NULL CHECK (household ~ '^[0-9]{3,5}$'),
    floor       integer NOT NULL CHECK (floor > 0),
    coefficient numeric NOT NULL CHECK (coefficient >= 0),
    amount      numeric NOT NULL CHECK (amount >= 0 AND amount = round(amount, 2)),
    PRIMARY KEY (event_id, household)
);

-- Contributions received from households.
CREATE TABLE elevator_contributions (
    id              bigserial PRIMARY KEY,
    application     text NOT NULL REFERENCES elevator_applications (code),
    household       text NOT NULL,
    amount          numeric NOT NULL CHECK (amount > 0 AND amount = round(amount, 2)),
    received_on     date NOT NULL,
    idempotency_key text NOT NULL UNIQUE,
    entry_id        bigint NOT NULL REFERENCES entries (id),
    actor           text NOT NULL CHECK (actor <> ''),
    at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX elevator_contributions_application ON elevator_contributions (application, household);

-- Utility facilities to renovate inside a community (专营设施).
CREATE TABLE utility_facilities (
    code          text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    project       text NOT NULL REFERENCES projects (code),
    kind          text NOT NULL CHECK (kind IN ('power', 'water', 'gas', 'heating', 'telecom', 'cabletv')),
    description   text NOT NULL DEFAULT '',
    cost          numeric NOT NULL CHECK (cost > 0 AND cost = round(cost, 2)),  -- approved cost of the works
    utility       text NOT NULL DEFAULT '',  -- the utility company's name
    registered_on date NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    text NOT NULL CHECK (created_by <> '')
);

-- Ownership (owner, transferred) and money (committed, paid) events of a
-- facility. The current owner is the owner of the latest owner/transferred row.
CREATE TABLE utility_facility_events (
    id               bigserial PRIMARY KEY,
    facility         text NOT NULL REFERENCES utility_facilities (code),
    kind             text NOT NULL CHECK (kind IN ('owner', 'committed', 'transferred', 'paid')),
    owner            text CHECK (owner <> ''),
    owned_by_utility boolean,
    effective_on     date NOT NULL,
    rule_set_id      bigint REFERENCES rule_sets (id),
    award            numeric CHECK (award >= 0 AND award = round(award, 2)),
    contribution     numeric CHECK (contribution >= 0 AND contribution = round(contribution, 2)),
    explanation      text NOT NULL DEFAULT '',
    entry_id         bigint REFERENCES entries (id),
    financial_entry_id bigint REFERENCES entries (id),
    actor            text NOT NULL CHECK (actor <> ''),
    note             text NOT NULL DEFAULT '',
    at               timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind IN ('owner', 'transferred')) = (owner IS NOT NULL AND owned_by_utility IS NOT NULL)),
    CHECK (kind <> 'committed' OR award = 0 OR rule_set_id IS NOT NULL)  -- an award comes from a rule set
);
CREATE UNIQUE INDEX utility_facility_events_once ON utility_facility_events (facility, kind) WHERE kind IN ('committed', 'transferred', 'paid');
CREATE INDEX utility_facility_events_facility ON utility_facility_events (facility, id);

-- Property-management assessment scores per project and period, with the
-- reward the rule set gave.
CREATE TABLE property_scores (
    id          bigserial PRIMARY KEY,
    project     text NOT NULL REFERENCES projects (code),
    period      text NOT NULL CHECK (period ~ '^[0-9]{4}(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$'),
    score       numeric NOT NULL CHECK (score >= 0 AND score <= 100 AND score = round(score, 2)),
    evaluator   text NOT NULL DEFAULT '',
    scored_on   date NOT NULL,
    rule_set_id bigint NOT NULL REFERENCES rule_sets (id),
    source      text NOT NULL,
    reward      numeric NOT NULL CHECK (reward >= 0 AND reward = round(reward, 2)),
    explanation text NOT NULL DEFAULT '',
    entry_id    bigint REFERENCES entries (id),
    actor       text NOT NULL CHECK (actor <> ''),
    at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (project, period)
);

-- Third-party evaluation scores per district and year; the latest row of a
-- district and year is in force (a re-evaluation is a new row).
CREATE TABLE evaluation_scores (
    id         bigserial PRIMARY KEY,
    district   text NOT NULL REFERENCES districts (code),
    year       integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    score      numeric NOT NULL CHECK (score >= 0 AND score <= 100 AND score = round(score, 2)),
    evaluator  text NOT NULL DEFAULT '',
    scored_on  date NOT NULL,
    actor      text NOT NULL CHECK (actor <> ''),
    note       text NOT NULL DEFAULT '',
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX evaluation_scores_year ON evaluation_scores (year, district, id);

-- A year's pool allocated over districts; a re-allocation is a new version
-- whose entry posts only the difference.
CREATE TABLE pool_allocations (
    id           bigserial PRIMARY KEY,
    year         integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    source       text NOT NULL,
    version      integer NOT NULL CHECK (version > 0),
    pool         numeric NOT NULL CHECK (pool > 0 AND pool = round(pool, 2)),
    allocated_on date NOT NULL,
    rule_set_id  bigint NOT NULL REFERENCES rule_sets (id),
    explanation  jsonb NOT NULL,
    entry_id     bigint REFERENCES entries (id),
    actor        text NOT NULL CHECK (actor <> ''),
    at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (year, source, version)
);
CREATE TABLE pool_allocation_lines (
    allocation_id bigint NOT NULL REFERENCES pool_allocations (id),
    district      text NOT NULL REFERENCES districts (code),
    score         numeric NOT NULL,
    amount        numeric NOT NULL CHECK (amount >= 0 AND amount = round(amount, 2)),
    explanation   text NOT NULL,
    PRIMARY KEY (allocation_id, district)
);

CREATE TRIGGER elevator_applications_append_only BEFORE UPDATE OR DELETE ON elevator_applications FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER elevator_events_append_only BEFORE UPDATE OR DELETE ON elevator_events FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER elevator_grant_shares_append_only BEFORE UPDATE OR DELETE ON elevator_grant_shares FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER elevator_household_shares_append_only BEFORE UPDATE OR DELETE ON elevator_household_shares FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER elevator_contributions_append_only BEFORE UPDATE OR DELETE ON elevator_contributions FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER utility_facilities_append_only BEFORE UPDATE OR DELETE ON utility_facilities FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER utility_facility_events_append_only BEFORE UPDATE OR DELETE ON utility_facility_events FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER property_scores_append_only BEFORE UPDATE OR DELETE ON property_scores FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER evaluation_scores_append_only BEFORE UPDATE OR DELETE ON evaluation_scores FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER pool_allocations_append_only BEFORE UPDATE OR DELETE ON pool_allocations FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER pool_allocation_lines_append_only BEFORE UPDATE OR DELETE ON pool_allocation_lines FOR EACH ROW EXECUTE FUNCTION fl_append_only();
