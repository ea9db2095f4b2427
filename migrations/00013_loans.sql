-- Loans (政策性银行贷款, commercial loans), their drawdowns, prepayments,
-- rate resets, schedules (versioned), interest accruals and payments;
-- interest subsidies (贷款贴息); capital injections (资本金注入) into
-- implementing companies; investment subsidies (投资补助). Money lives only
-- in the ledger's entries (accounts loan:<CODE>:…, company:<CODE>:…,
-- invsub:…, see funding/loan.go and funding/injection.go); these rows say
-- what the entries are about and point at them. Every table is
-- append-only. The guards that raw SQL cannot pass:
--   * drawdowns never add up to more than the loan's amount;
--   * a schedule version is whole (principal repaid + prepaid = drawn);
--   * a subsidy is paid only after the interest of its period was paid, and
--     the subsidies of a period never exceed the interest paid for it
--     (SQLSTATE FL001 / FL002), nor what was committed;
--   * an investment subsidy never exceeds its share of the investment
--     completed, nor its cap (FL003).

-- +goose Up

-- Implementing companies (项目实施主体): borrowers and receivers of capital.
CREATE TABLE implementing_companies (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    name        text NOT NULL CHECK (name <> '' AND length(name) <= 200),
    district    text NOT NULL REFERENCES districts (code),
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL CHECK (created_by <> '')
);

CREATE TABLE loans (
    code           text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    name           text NOT NULL CHECK (name <> '' AND length(name) <= 200),
    lender         text NOT NULL CHECK (lender <> '' AND length(lender) <= 200),
    lender_kind    text NOT NULL CHECK (lender_kind IN ('policy_bank', 'commercial')),
    district       text NOT NULL REFERENCES districts (code),  -- whose debt it is
    company        text REFERENCES implementing_companies (code), -- NULL: the district borrows
    source         text NOT NULL CHECK (source <> ''),          -- the projects' funding source of the drawdowns
    amount         numeric NOT NULL CHECK (amount > 0 AND amount = round(amount, 2) AND amount < 1000000000000000),
    rate_kind      text NOT NULL CHECK (rate_kind IN ('fixed', 'floating')),
    spread_bp      integer CHECK (spread_bp BETWEEN -1000 AND 2000),  -- floating: LPR + spread
    reset_months   integer CHECK (reset_months BETWEEN 1 AND 120),    -- floating: reset every n months from the start
    start_date     date NOT NULL CHECK (extract(day FROM start_date) <= 28),
    term_months    integer NOT NULL CHECK (term_months BETWEEN 1 AND 360),
    frequency      text NOT NULL CHECK (frequency IN ('monthly', 'quarterly', 'semi-annual', 'annual')),
    grace_months   integer NOT NULL DEFAULT 0 CHECK (grace_months >= 0 AND grace_months < term_months),
    repayment      text NOT NULL CHECK (repayment IN ('equal_principal', 'equal_instalment', 'bullet', 'custom')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    created_by     text NOT NULL CHECK (created_by <> ''),
    CONSTRAINT loans_floating CHECK ((rate_kind = 'floating') = (spread_bp IS NOT NULL AND reset_months IS NOT NULL))
);

CREATE TABLE loan_projects (
    loan     text NOT NULL REFERENCES loans (code),
    project  text NOT NULL REFERENCES projects (code),
    PRIMARY KEY (loan, project)
);

CREATE TABLE loan_custom_repayments (
    loan      text NOT NULL REFERENCES loans (code),
    due_date  date NOT NULL,
    amount    numeric NOT NULL CHECK (amount > 0 AND amount = round(amount, 2)),
    PRIMARY KEY (loan, due_date)
);

-- The rate in force from a date (the start, then each reset).
CREATE TABLE loan_rates (
    loan            text NOT NULL REFERENCES loans (code),
    effective_from  date NOT NULL,
    lpr_pct         numeric CHECK (lpr_pct > 0 AND lpr_pct < 100 AND lpr_pct = round(lpr_pct, 4)),
    rate_pct        numeric NOT NULL CHECK (rate_pct > 0 AND rate_pct < 100 AND rate_pct = round(rate_pct, 4)),
    reason          text NOT NULL DEFAULT '',
    actor           text NOT NULL CHECK (actor <> ''),
    at              timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (loan, effective_from)
);

CREATE TABLE loan_drawdowns (
    id                  bigserial PRIMARY KEY,
    loan                text NOT NULL REFERENCES loans (code),
    project             text NOT NULL,
    amount              numeric NOT NULL CHECK (amount > 0 AND amount = round(amount, 2)),
    drawn_on            date NOT NULL,
    reference           text NOT NULL DEFAULT '',
    idempotency_key     text NOT NULL UNIQUE CHECK (idempotency_key <> ''),
    financial_entry_id  bigint NOT NULL REFERENCES entries (id),
    budget_entry_id     bigint NOT NULL REFERENCES entries (id),
    actor               text NOT NULL CHECK (actor <> ''),
    at                  timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (loan, project) REFERENCES loan_projects (loan, project)
);
CREATE INDEX loan_drawdowns_loan ON loan_drawdowns (loan, drawn_on);

-- Drawdowns never exceed the loan's amount (the loan's row is locked, so
-- two concurrent drawdowns cannot both pass).
-- +goose StatementBegin
CREATE FUNCTION fl_loan_drawdown_within_amount() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    facility numeric;
    drawn numeric;
BEGIN
    SELECT amount INTO facility FROM loans WHERE code = NEW.loan FOR UPDATE;
    SELECT coalesce(sum(amount), 0) INTO drawn FROM loan_drawdowns WHERE loan = NEW.loan;
    IF drawn > facility THEN
        RAISE EXCEPTION 'loan %: drawdowns add up to %, more than the loan amount %', NEW.loan, drawn, facility
            USING ERRCODE = '23514';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER loan_drawdowns_within_amount AFTER INSERT ON loan_drawdowns
    FOR EACH ROW EXECUTE FUNCTION fl_loan_drawdown_within_amount();

CREATE TABLE loan_prepayments (
    id                  bigserial PRIMARY KEY,
    loan                text NOT NULL REFERENCES loans (code),
    amount              numeric NOT NULL CHECK (amount > 0 AND amount = round(amount, 2)),
    paid_on             date NOT NULL,
    reference           text NOT NULL DEFAULT '',
    idempotency_key     text NOT NULL UNIQUE CHECK (idempotency_key <> ''),
    financial_entry_id  bigint NOT NULL REFERENCES entries (id),
    budget_entry_id     bigint NOT NULL REFERENCES entries (id),
    actor               text NOT NULL CHECK (actor <> ''),
    at                  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE loan_schedules (
    loan            text NOT NULL REFERENCES loans (code),
    version         integer NOT NULL CHECK (version > 0),
    effective_on    date NOT NULL,
    repayment       text NOT NULL,
    rounding        text NOT NULL CHECK (rounding <> ''),
    total_interest  numeric NOT NULL CHECK (total_interest >= 0 AND total_interest = round(total_interest, 2)),
    reason          text NOT NULL CHECK (btrim(reason) <> ''),
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text NOT NULL CHECK (created_by <> ''),
    PRIMARY KEY (loan, version)
);

CREATE TABLE loan_schedule_lines (
    loan               text NOT NULL,
    version            integer NOT NULL,
    seq                integer NOT NULL CHECK (seq > 0),
    period_start       date NOT NULL,
    due_date           date NOT NULL,
    rate_pct           numeric NOT NULL CHECK (rate_pct > 0 AND rate_pct < 100),
    opening_principal  numeric NOT NULL CHECK (opening_principal >= 0 AND opening_principal = round(opening_principal, 2)),
    drawn              numeric NOT NULL CHECK (drawn >= 0 AND drawn = round(drawn, 2)),
    prepaid            numeric NOT NULL CHECK (prepaid >= 0 AND prepaid = round(prepaid, 2)),
    interest           numeric NOT NULL CHECK (interest >= 0 AND interest = round(interest, 2)),
    principal          numeric NOT NULL CHECK (principal >= 0 AND principal = round(principal, 2)),
    PRIMARY KEY (loan, version, seq),
    UNIQUE (loan, version, due_date),
    FOREIGN KEY (loan, version) REFERENCES loan_schedules (loan, version),
    CONSTRAINT loan_schedule_lines_period CHECK (due_date > period_start),
    CONSTRAINT loan_schedule_lines_principal CHECK (principal + prepaid <= opening_principal + drawn)
);

-- At commit, a schedule version is whole: lines numbered 1..n, each
-- period starting where the previous ended, each opening principal what the
-- lines before left, drawn and prepaid equal to the loan's recorded
-- drawdowns and prepayments, principal repaid + prepaid = drawn, and the
-- interest adding up to the stated total.
-- +goose StatementBegin
CREATE FUNCTION fl_loan_schedule_whole() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    s record;
    drawn_total numeric;
    prepaid_total numeric;
    bad record;
BEGIN
    SELECT count(*) AS n, coalesce(min(seq), 0) AS lo, coalesce(max(seq), 0) AS hi,
           coalesce(sum(principal), 0) AS principal, coalesce(sum(interest), 0) AS interest,
           coalesce(sum(drawn), 0) AS drawn, coalesce(sum(prepaid), 0) AS prepaid
      INTO s FROM loan_schedule_lines WHERE loan = NEW.loan AND version = NEW.version;
    SELECT coalesce(sum(amount), 0) INTO drawn_total FROM loan_drawdowns WHERE loan = NEW.loan;
    SELECT coalesce(sum(amount), 0) INTO prepaid_total FROM loan_prepayments WHERE loan = NEW.loan;
    IF s.n = 0 OR s.lo <> 1 OR s.hi <> s.n THEN
        RAISE EXCEPTION 'schedule version % of loan %: lines must be numbered 1 to n (% lines found)', NEW.version, NEW.loan, s.n
            USING ERRCODE = '23514';
    END IF;
    IF s.drawn <> drawn_total OR s.prepaid <> prepaid_total THEN
        RAISE EXCEPTION 'schedule version % of loan %: lines draw % and prepay %, but the loan''s drawdowns are % and prepayments %',
            NEW.version, NEW.loan, s.drawn, s.prepaid, drawn_total, prepaid_total USING ERRCODE = '23514';
    END IF;
    IF s.principal + s.prepaid <> s.drawn THEN
        RAISE EXCEPTION 'schedule version % of loan %: principal repaid % + prepaid % is not what was drawn %',
            NEW.version, NEW.loan, s.principal, s.prepaid, s.drawn USING ERRCODE = '23514';
    END IF;
    IF s.interest <> NEW.total_interest THEN
        RAISE EXCEPTION 'schedule version % of loan %: interest adds up to %, not to the stated total %',
            NEW.version, NEW.loan, s.interest, NEW.total_interest USING ERRCODE = '23514';
    END IF;
    SELECT x.seq INTO bad FROM (
        SELECT l.seq, l.opening_principal, l.period_start,
               coalesce(sum(l.drawn - l.prepaid - l.principal) OVER (ORDER BY l.seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS expected,
               lag(l.due_date) OVER (ORDER BY l.seq) AS previous_due
          FROM loan_schedule_lines l WHERE l.loan = NEW.loan AND l.version = NEW.version) x
     WHERE x.opening_principal <> x.expected OR x.period_start <> coalesce(x.previous_due, x.period_start)
     ORDER BY x.seq LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'schedule version % of loan %: line % does not follow from the lines before it (opening principal or period start)',
            NEW.version, NEW.loan, bad.seq USING ERRCODE = '23514';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER loan_schedules_whole AFTER INSERT ON loan_schedules
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fl_loan_schedule_whole();

CREATE TABLE loan_accruals (
    loan              text NOT NULL,
    due_date          date NOT NULL,
    schedule_version  integer NOT NULL,
    seq               integer NOT NULL,
    interest          numeric NOT NULL CHECK (interest > 0 AND interest = round(interest, 2)),
    entry_id          bigint NOT NULL REFERENCES entries (id),
    actor             text NOT NULL CHECK (actor <> ''),
    at                timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (loan, due_date),
    FOREIGN KEY (loan, schedule_version, seq) REFERENCES loan_schedule_lines (loan, version, seq)
);

CREATE TABLE loan_payments (
    loan                text NOT NULL,
    due_date            date NOT NULL,
    schedule_version    integer NOT NULL,
    seq                 integer NOT NULL,
    paid_on             date NOT NULL,
    interest            numeric NOT NULL CHECK (interest >= 0 AND interest = round(interest, 2)),
    principal           numeric NOT NULL CHECK (principal >= 0 AND principal = round(principal, 2)),
    financial_entry_id  bigint NOT NULL REFERENCES entries (id),
    budget_entry_id     bigint NOT NULL REFERENCES entries (id),
    reference           text NOT NULL DEFAULT '',
    actor               text NOT NULL CHECK (actor <> ''),
    at                  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (loan, due_date),
    FOREIGN KEY (loan, schedule_version, seq) REFERENCES loan_schedule_lines (loan, version, seq),
    CONSTRAINT loan_payments_on_or_after_due CHECK (paid_on >= due_date),
    CONSTRAINT loan_payments_something CHECK (interest + principal > 0)
);

-- An interest subsidy committed for one period of a loan by one level of
-- government (budget book), under a rule set version.
CREATE TABLE loan_subsidies (
    loan             text NOT NULL REFERENCES loans (code),
    due_date         date NOT NULL,
    level            text NOT NULL CHECK (level IN ('central', 'provincial', 'municipal', 'district')),
    rule_set_id      bigint NOT NULL REFERENCES rule_sets (id),
    interest         numeric NOT NULL CHECK (interest >= 0 AND interest = round(interest, 2)),
    amount           numeric NOT NULL CHECK (amount > 0 AND amount = round(amount, 2) AND amount <= interest),
    budget_entry_id  bigint NOT NULL REFERENCES entries (id),
    actor            text NOT NULL CHECK (actor <> ''),
    at               timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (loan, due_date, level)
);

CREATE TABLE loan_subsidy_payments (
    loan                text NOT NULL,
    due_date            date NOT NULL,
    level               text NOT NULL,
    paid_on             date NOT NULL,
    amount              numeric NOT NULL CHECK (amount > 0 AND amount = round(amount, 2)),
    financial_entry_id  bigint NOT NULL REFERENCES entries (id),
    budget_entry_id     bigint NOT NULL REFERENCES entries (id),
    reference           text NOT NULL DEFAULT '',
    actor               text NOT NULL CHECK (actor <> ''),
    at                  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (loan, due_date, level),
    FOREIGN KEY (loan, due_date, level) REFERENCES loan_subsidies (loan, due_date, level)
);

-- 贴息 is paid on evidence of interest paid: never before the period's
-- interest was paid, never more than that interest (all levels together),
-- never more than was committed.
-- +goose StatementBegin
CREATE FUNCTION fl_loan_subsidy_within_interest_paid() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    paid record;
    committed numeric;
    total numeric;
BEGIN
    SELECT interest, paid_on INTO paid FROM loan_payments WHERE loan = NEW.loan AND due_date = NEW.due_date FOR SHARE;
    IF NOT FOUND OR paid.interest = 0 THEN
        RAISE EXCEPTION 'loan %: no interest is paid for the period due %, so no subsidy can be paid for it', NEW.loan, NEW.due_date
            USING ERRCODE = 'FL001';
    END IF;
    IF NEW.paid_on < paid.paid_on THEN
        RAISE EXCEPTION 'loan %: subsidy paid on % for the period due %, before its interest was paid on %', NEW.loan, NEW.paid_on,
            NEW.due_date, paid.paid_on USING ERRCODE = 'FL001';
    END IF;
    SELECT amount INTO committed FROM loan_subsidies WHERE loan = NEW.loan AND due_date = NEW.due_date AND level = NEW.level;
    IF NEW.amount > committed THEN
        RAISE EXCEPTION 'loan %: subsidy % for the period due % exceeds the % committed', NEW.loan, NEW.amount, NEW.due_date, committed
            USING ERRCODE = 'FL002';
    END IF;
    SELECT sum(amount) INTO total FROM loan_subsidy_payments WHERE loan = NEW.loan AND due_date = NEW.due_date;
    IF total > paid.interest THEN
        RAISE EXCEPTION 'loan %: subsidies of % for the period due % exceed the interest paid %', NEW.loan, total, NEW.due_date, paid.interest
            USING ERRCODE = 'FL002';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER loan_subsidy_payments_within_interest_paid AFTER INSERT ON loan_subsidy_payments
    FOR EACH ROW EXECUTE FUNCTION fl_loan_subsidy_within_interest_paid();

-- Capital injected by a level of government into an implementing company,
-- earmarked to one of its projects: equity, not a grant or revenue.
CREATE TABLE capital_injections (
    id                  bigserial PRIMARY KEY,
    company             text NOT NULL REFERENCES implementing_companies (code),
    project             text NOT NULL REFERENCES projects (code),
    source              text NOT NULL CHECK (source IN ('central', 'provincial', 'municipal', 'district')),
    amount              numeric NOT NULL CHECK (amount > 0 AND amount = round(amount, 2)),
    injected_on         date NOT NULL,
    reference           text NOT NULL DEFAULT '',
    idempotency_key     text NOT NULL UNIQUE CHECK (idempotency_key <> ''),
    financial_entry_id  bigint NOT NULL REFERENCES entries (id),
    budget_entry_id     bigint NOT NULL REFERENCES entries (id),
    actor               text NOT NULL CHECK (actor <> ''),
    at                  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX capital_injections_project ON capital_injections (project);

-- The company's use of injected capital on a project's works.
CREATE TABLE capital_uses (
    id                  bigserial PRIMARY KEY,
    company             text NOT NULL REFERENCES implementing_companies (code),
    project             text NOT NULL REFERENCES projects (code),
    category            text NOT NULL CHECK (category <> ''),
    amount              numeric NOT NULL CHECK (amount > 0 AND amount = round(amount, 2)),
    paid_on             date NOT NULL,
    reference           text NOT NULL DEFAULT '',
    idempotency_key     text NOT NULL UNIQUE CHECK (idempotency_key <> ''),
    financial_entry_id  bigint NOT NULL REFERENCES entries (id),
    actor               text NOT NULL CHECK (actor <> ''),
    at                  timestamptz NOT NULL DEFAULT now()
);

-- An investment subsidy (投资补助) approved for a project by a level of
-- government: a share of the approved investment, paid on progress.
CREATE TABLE investment_subsidies (
    project              text NOT NULL REFERENCES projects (code),
    source               text NOT NULL CHECK (source IN ('central', 'provincial', 'municipal', 'district')),
    share_pct            numeric NOT NULL CHECK (share_pct > 0 AND share_pct <= 100 AND share_pct = round(share_pct, 4)),
    approved_investment  numeric NOT NULL CHECK (approved_investment > 0 AND approved_investment = round(approved_investment, 2)),
    cap                  numeric NOT NULL CHECK (cap > 0 AND cap = round(cap, 2)
                                                 AND cap <= trunc(approved_investment * share_pct / 100, 2)),
    approved_on          date NOT NULL,
    budget_entry_id      bigint NOT NULL REFERENCES entries (id),
    actor                text NOT NULL CHECK (actor <> ''),
    at                   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project, source)
);

CREATE TABLE investment_subsidy_payments (
    id                   bigserial PRIMARY KEY,
    project              text NOT NULL,
    source               text NOT NULL,
    completed_investment numeric NOT NULL CHECK (completed_investment > 0 AND completed_investment = round(completed_investment, 2)),
    amount               numeric NOT NULL CHECK (amount > 0 AND amount = round(amount, 2)),
    paid_on              date NOT NULL,
    reference            text NOT NULL DEFAULT '',
    idempotency_key      text NOT NULL UNIQUE CHECK (idempotency_key <> ''),
    financial_entry_id   bigint NOT NULL REFERENCES entries (id),
    budget_entry_id      bigint NOT NULL REFERENCES entries (id),
    actor                text NOT NULL CHECK (actor <> ''),
    at                   timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (project, source) REFERENCES investment_subsidies (project, source)
);

-- Paid on progress: all payments so far never exceed the share of the
-- investment completed (as last reported, which never goes down), nor the cap.
-- +goose StatementBegin
CREATE FUNCTION fl_investment_subsidy_on_progress() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    s record;
    prior_progress numeric;
    total numeric;
BEGIN
    SELECT * INTO s FROM investment_subsidies WHERE project = NEW.project AND source = NEW.source FOR UPDATE;
    SELECT max(completed_investment) INTO prior_progress FROM investment_subsidy_payments
     WHERE project = NEW.project AND source = NEW.source AND id <> NEW.id;
    IF NEW.completed_investment < coalesce(prior_progress, 0) THEN
        RAISE EXCEPTION 'investment subsidy of project % from %: completed investment % is less than the % reported before',
            NEW.project, NEW.source, NEW.completed_investment, prior_progress USING ERRCODE = 'FL003';
    END IF;
    IF NEW.completed_investment > s.approved_investment THEN
        RAISE EXCEPTION 'investment subsidy of project % from %: completed investment % is more than the approved investment %',
            NEW.project, NEW.source, NEW.completed_investment, s.approved_investment USING ERRCODE = 'FL003';
    END IF;
    SELECT sum(amount) INTO total FROM investment_subsidy_payments WHERE project = NEW.project AND source = NEW.source;
    IF total > trunc(NEW.completed_investment * s.share_pct / 100, 2) OR total > s.cap THEN
        RAISE EXCEPTION 'investment subsidy of project % from %: % paid in all, more than % %% of the % completed or the cap %',
            NEW.project, NEW.source, total, s.share_pct, NEW.completed_investment, s.cap USING ERRCODE = 'FL003';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER investment_subsidy_payments_on_progress AFTER INSERT ON investment_subsidy_payments
    FOR EACH ROW EXECUTE FUNCTION fl_investment_subsidy_on_progress();

CREATE TRIGGER implementing_companies_append_only BEFORE UPDATE OR DELETE ON implementing_companies FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER loans_append_only BEFORE UPDATE OR DELETE ON loans FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER loan_projects_append_only BEFORE UPDATE OR DELETE ON loan_projects FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER loan_custom_repayments_append_only BEFORE UPDATE OR DELETE ON loan_custom_repayments FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER loan_rates_append_only BEFORE UPDATE OR DELETE ON loan_rates FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER loan_drawdowns_append_only BEFORE UPDATE OR DELETE ON loan_drawdowns FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER loan_prepayments_append_only BEFORE UPDATE OR DELETE ON loan_prepayments FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER loan_schedules_append_only BEFORE UPDATE OR DELETE ON loan_schedules FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER loan_schedule_lines_append_only BEFORE UPDATE OR DELETE ON loan_schedule_lines FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER loan_accruals_append_only BEFORE UPDATE OR DELETE ON loan_accruals FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER loan_payments_append_only BEFORE UPDATE OR DELETE ON loan_payments FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER loan_subsidies_append_only BEFORE UPDATE OR DELETE ON loan_subsidies FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER loan_subsidy_payments_append_only BEFORE UPDATE OR DELETE ON loan_subsidy_payments FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER capital_injections_append_only BEFORE UPDATE OR DELETE ON capital_injections FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER capital_uses_append_only BEFORE UPDATE OR DELETE ON capital_uses FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER investment_subsidies_append_only BEFORE UPDATE OR DELETE ON investment_subsidies FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER investment_subsidy_payments_append_only BEFORE UPDATE OR DELETE ON investment_subsidy_payments FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER loans_no_truncate BEFORE TRUNCATE ON loans FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER loan_drawdowns_no_truncate BEFORE TRUNCATE ON loan_drawdowns FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER loan_prepayments_no_truncate BEFORE TRUNCATE ON loan_prepayments FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER loan_schedules_no_truncate BEFORE TRUNCATE ON loan_schedules FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER loan_schedule_lines_no_truncate BEFORE TRUNCATE ON loan_schedule_lines FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER loan_payments_no_truncate BEFORE TRUNCATE ON loan_payments FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER loan_subsidy_payments_no_truncate BEFORE TRUNCATE ON loan_subsidy_payments FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER capital_injections_no_truncate BEFORE TRUNCATE ON capital_injections FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER investment_subsidy_payments_no_truncate BEFORE TRUNCATE ON investment_subsidy_payments FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
