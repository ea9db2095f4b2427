-- Special-purpose bonds (专项债券): the register, the repayment schedule
-- generated from the terms (versioned), the issue, allocations of proceeds
-- to projects, the projects' financing balance plans (预期收益与融资平衡方案),
-- interest accruals and payments. Money itself lives only in the ledger's
-- entries (accounts bond:<CODE>:… and budget:bond:<CODE>:…, see
-- funding/bond.go); these rows say what the entries are about and point at
-- them. Every table is append-only: a schedule revision is a new version,
-- a changed plan is a new version, a correction is a ledger reversal.

-- +goose Up

CREATE TABLE bonds (
    code                 text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    name                 text NOT NULL CHECK (name <> '' AND length(name) <= 200),
    issue_date           date NOT NULL,
    interest_start       date NOT NULL,           -- 起息日
    principal            numeric NOT NULL
                         CHECK (principal > 0 AND principal = round(principal, 2) AND principal < 1000000000000000),
    -- Per cent a year (3.76 is 3.76%), at most four decimals.
    coupon_rate_pct      numeric NOT NULL
                         CHECK (coupon_rate_pct > 0 AND coupon_rate_pct < 100 AND coupon_rate_pct = round(coupon_rate_pct, 4)),
    term_years           integer NOT NULL CHECK (term_years BETWEEN 1 AND 50),
    frequency            text NOT NULL CHECK (frequency IN ('annual', 'semi-annual')),
    repayment            text NOT NULL CHECK (repayment IN ('bullet', 'amortising', 'custom')),
    grace_years          integer NOT NULL DEFAULT 0,  -- amortising: years before the first principal repayment
    reserve_bank_account text REFERENCES bank_accounts (code), -- 偿债准备金专户
    created_at           timestamptz NOT NULL DEFAULT now(),
    created_by           text NOT NULL CHECK (created_by <> ''),
    CONSTRAINT bonds_grace CHECK (grace_years >= 0 AND grace_years < term_years),
    CONSTRAINT bonds_interest_start CHECK (interest_start BETWEEN issue_date - 366 AND issue_date + 366)
);

-- A repayment schedule version: version 1 is generated at registration; a
-- revision (with a reason) is a new version that keeps every line already
-- accrued or paid.
CREATE TABLE bond_schedules (
    bond            text NOT NULL REFERENCES bonds (code),
    version         integer NOT NULL CHECK (version > 0),
    effective_on    date NOT NULL,
    repayment       text NOT NULL CHECK (repayment IN ('bullet', 'amortising', 'custom')),
    rounding        text NOT NULL CHECK (rounding <> ''),  -- the method, stated
    total_interest  numeric NOT NULL CHECK (total_interest >= 0 AND total_interest = round(total_interest, 2)),
    reason          text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text NOT NULL CHECK (created_by <> ''),
    PRIMARY KEY (bond, version),
    CONSTRAINT bond_schedules_reason CHECK (version = 1 OR btrim(reason) <> '')
);

CREATE TABLE bond_schedule_lines (
    bond               text NOT NULL,
    version            integer NOT NULL,
    seq                integer NOT NULL CHECK (seq > 0),
    period_start       date NOT NULL,
    due_date           date NOT NULL,
    opening_principal  numeric NOT NULL CHECK (opening_principal > 0 AND opening_principal = round(opening_principal, 2)),
    interest           numeric NOT NULL CHECK (interest >= 0 AND interest = round(interest, 2)),
    principal          numeric NOT NULL CHECK (principal >= 0 AND principal = round(principal, 2)),
    PRIMARY KEY (bond, version, seq),
    UNIQUE (bond, version, due_date),
    FOREIGN KEY (bond, version) REFERENCES bond_schedules (bond, version),
    CONSTRAINT bond_schedule_lines_period CHECK (due_date > period_start),
    CONSTRAINT bond_schedule_lines_principal CHECK (principal <= opening_principal)
);

-- At commit, every new schedule version must be whole: lines numbered 1..n,
-- each period starting where the previous ended, each opening principal the
-- bond's principal less what earlier lines repaid, the repayments adding up
-- exactly to the principal and the interest to the stated total.
-- +goose StatementBegin
CREATE FUNCTION fl_bond_schedule_whole() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bond_principal numeric;
    s record;
    bad record;
BEGIN
    SELECT principal INTO bond_principal FROM bonds WHERE code = NEW.bond;
    SELECT count(*) AS n, coalesce(min(seq), 0) AS lo, coalesce(max(seq), 0) AS hi,
           coalesce(sum(principal), 0) AS principal, coalesce(sum(interest), 0) AS interest
      INTO s FROM bond_schedule_lines WHERE bond = NEW.bond AND version = NEW.version;
    IF s.n = 0 OR s.lo <> 1 OR s.hi <> s.n THEN
        RAISE EXCEPTION 'schedule version % of bond %: lines must be numbered 1 to n (% lines found)', NEW.version, NEW.bond, s.n
            USING ERRCODE = '23514';
    END IF;
    IF s.principal <> bond_principal THEN
        RAISE EXCEPTION 'schedule version % of bond %: principal repayments add up to %, not to the principal %',
            NEW.version, NEW.bond, s.principal, bond_principal USING ERRCODE = '23514';
    END IF;
    IF s.interest <> NEW.total_interest THEN
        RAISE EXCEPTION 'schedule version % of bond %: interest adds up to %, not to the stated total %',
            NEW.version, NEW.bond, s.interest, NEW.total_interest USING ERRCODE = '23514';
    END IF;
    SELECT x.seq INTO bad FROM (
        SELECT l.seq, l.opening_principal, l.period_start,
               bond_principal - coalesce(sum(l.principal) OVER (ORDER BY l.seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS expected,
               lag(l.due_date) OVER (ORDER BY l.seq) AS previous_due
          FROM bond_schedule_lines l WHERE l.bond = NEW.bond AND l.version = NEW.version) x
     WHERE x.opening_principal <> x.expected OR x.period_start <> coalesce(x.previous_due, x.period_start)
     ORDER BY x.seq LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'schedule version % of bond %: line % does not follow from the lines before it (opening principal or period start)',
            NEW.version, NEW.bond, bad.seq USING ERRCODE = '23514';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER bond_schedules_whole AFTER INSERT ON bond_schedules
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fl_bond_schedule_whole();

-- The issue (发行): proceeds in, principal liability up. Once per bond, at par.
CREATE TABLE bond_issues (
    bond                text PRIMARY KEY REFERENCES bonds (code),
    issued_on           date NOT NULL,
    amount              numeric NOT NULL CHECK (amount > 0 AND amount = round(amount, 2)),
    bank_account        text REFERENCES bank_accounts (code),
    reference           text NOT NULL DEFAULT '',
    financial_entry_id  bigint NOT NULL REFERENCES entries (id),
    budget_entry_id     bigint NOT NULL REFERENCES entries (id),
    actor               text NOT NULL CHECK (actor <> ''),
    at                  timestamptz NOT NULL DEFAULT now()
);

-- Allocations of proceeds to projects (one bond funds several projects, one
-- project may draw on several bonds). Only an issued bond can be allocated.
CREATE TABLE bond_allocations (
    id                  bigserial PRIMARY KEY,
    bond                text NOT NULL REFERENCES bond_issues (bond),
    project             text NOT NULL REFERENCES projects (code),
    amount              numeric NOT NULL CHECK (amount > 0 AND amount = round(amount, 2)),
    allocated_on        date NOT NULL,
    reference           text NOT NULL DEFAULT '',
    idempotency_key     text NOT NULL UNIQUE CHECK (idempotency_key <> ''),
    financial_entry_id  bigint NOT NULL REFERENCES entries (id),
    budget_entry_id     bigint NOT NULL REFERENCES entries (id),
    actor               text NOT NULL CHECK (actor <> ''),
    at                  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bond_allocations_bond ON bond_allocations (bond, project);
CREATE INDEX bond_allocations_project ON bond_allocations (project, bond);

-- Financing balance plans: expected revenue of a project by year and kind.
-- A changed plan is a new version; reports use the newest version in
-- force on their date.
CREATE TABLE bond_revenue_plans (
    id            bigserial PRIMARY KEY,
    project       text NOT NULL REFERENCES projects (code),
    version       integer NOT NULL CHECK (version > 0),
    effective_on  date NOT NULL,
    content_hash  text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
    file_name     text NOT NULL DEFAULT '',
    total         numeric NOT NULL CHECK (total >= 0 AND total = round(total, 2)),
    actor         text NOT NULL CHECK (actor <> ''),
    at            timestamptz NOT NULL DEFAULT now(),
    UNIQUE (project, version)
);
CREATE TABLE bond_revenue_plan_lines (
    plan_id  bigint NOT NULL REFERENCES bond_revenue_plans (id),
    year     integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    kind     text NOT NULL CHECK (kind IN ('parking', 'charging', 'elevator', 'rent', 'advertising', 'property')),
    amount   numeric NOT NULL CHECK (amount >= 0 AND amount = round(amount, 2)),
    PRIMARY KEY (plan_id, year, kind)
);

-- Interest accrued for a schedule period (on its due date), once.
CREATE TABLE bond_accruals (
    bond              text NOT NULL,
    due_date          date NOT NULL,
    schedule_version  integer NOT NULL,
    seq               integer NOT NULL,
    interest          numeric NOT NULL CHECK (interest > 0 AND interest = round(interest, 2)),
    entry_id          bigint NOT NULL REFERENCES entries (id),
    actor             text NOT NULL CHECK (actor <> ''),
    at                timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bond, due_date),
    FOREIGN KEY (bond, schedule_version, seq) REFERENCES bond_schedule_lines (bond, version, seq)
);

-- A scheduled payment of interest and principal from the repayment reserve,
-- once per due date, and the backstop top-up that made it possible if any.
CREATE TABLE bond_payments (
    bond                         text NOT NULL,
    due_date                     date NOT NULL,
    schedule_version             integer NOT NULL,
    seq                          integer NOT NULL,
    paid_on                      date NOT NULL,
    interest                     numeric NOT NULL CHECK (interest >= 0 AND interest = round(interest, 2)),
    principal                    numeric NOT NULL CHECK (principal >= 0 AND principal = round(principal, 2)),
    backstop_source              text CHECK (backstop_source IN ('district_budget', 'other_project_income', 'government_fund')),
    backstop_amount              numeric CHECK (backstop_amount > 0 AND backstop_amount = round(backstop_amount, 2)),
    backstop_financial_entry_id  bigint REFERENCES entries (id),
    backstop_budget_entry_id     bigint REFERENCES entries (id),
    financial_entry_id           bigint NOT NULL REFERENCES entries (id),
    budget_entry_id              bigint NOT NULL REFERENCES entries (id),
    reference                    text NOT NULL DEFAULT '',
    actor                        text NOT NULL CHECK (actor <> ''),
    at                           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bond, due_date),
    FOREIGN KEY (bond, schedule_version, seq) REFERENCES bond_schedule_lines (bond, version, seq),
    CONSTRAINT bond_payments_on_or_after_due CHECK (paid_on >= due_date),
    CONSTRAINT bond_payments_something CHECK (interest + principal > 0),
    CONSTRAINT bond_payments_backstop CHECK (
        (backstop_source IS NULL) = (backstop_amount IS NULL)
        AND (backstop_source IS NULL) = (backstop_financial_entry_id IS NULL)
        AND (backstop_source IS NULL) = (backstop_budget_entry_id IS NULL))
);

CREATE TRIGGER bonds_append_only BEFORE UPDATE OR DELETE ON bonds FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER bond_schedules_append_only BEFORE UPDATE OR DELETE ON bond_schedules FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER bond_schedule_lines_append_only BEFORE UPDATE OR DELETE ON bond_schedule_lines FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER bond_issues_append_only BEFORE UPDATE OR DELETE ON bond_issues FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER bond_allocations_append_only BEFORE UPDATE OR DELETE ON bond_allocations FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER bond_revenue_plans_append_only BEFORE UPDATE OR DELETE ON bond_revenue_plans FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER bond_revenue_plan_lines_append_only BEFORE UPDATE OR DELETE ON bond_revenue_plan_lines FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER bond_accruals_append_only BEFORE UPDATE OR DELETE ON bond_accruals FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER bond_payments_append_only BEFORE UPDATE OR DELETE ON bond_payments FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER bonds_no_truncate BEFORE TRUNCATE ON bonds FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER bond_schedules_no_truncate BEFORE TRUNCATE ON bond_schedules FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER bond_schedule_lines_no_truncate BEFORE TRUNCATE ON bond_schedule_lines FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER bond_issues_no_truncate BEFORE TRUNCATE ON bond_issues FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER bond_allocations_no_truncate BEFORE TRUNCATE ON bond_allocations FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER bond_accruals_no_truncate BEFORE TRUNCATE ON bond_accruals FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER bond_payments_no_truncate BEFORE TRUNCATE ON bond_payments FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
