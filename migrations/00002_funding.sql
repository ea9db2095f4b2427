-- The funding domain: districts, projects and their lifecycle, the plan
-- table, cost-sharing rule sets, and budget approvals with the allocation
-- that produced their commitments. Money itself lives only in the ledger's
-- entries; these tables say what the entries are about.

-- +goose Up

CREATE TABLE districts (
    code     text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,31}$'),
    name_zh  text NOT NULL UNIQUE CHECK (name_zh <> ''),
    name_en  text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text NOT NULL DEFAULT current_user
);
INSERT INTO districts (code, name_zh, name_en, created_by) VALUES
    ('huancui', '环翠区', 'Huancui District', 'migration'),
    ('wendeng', '文登区', 'Wendeng District', 'migration'),
    ('rongcheng', '荣成市', 'Rongcheng City', 'migration'),
    ('rushan', '乳山市', 'Rushan City', 'migration'),
    ('gaoqu', '高区', 'High-tech Zone', 'migration'),
    ('jingqu', '经区', 'Economic Zone', 'migration');

CREATE TABLE projects (
    code                 text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    name                 text NOT NULL CHECK (name <> ''),
    district             text NOT NULL REFERENCES districts (code),
    address              text NOT NULL DEFAULT '',
    completed_on         date NOT NULL,          -- completion of the buildings
    state_owned_land     boolean NOT NULL,
    slated_for_demolition boolean NOT NULL DEFAULT false, -- expropriation or demolition-and-rebuild
    households           integer NOT NULL CHECK (households > 0),
    floor_area_m2        numeric NOT NULL CHECK (floor_area_m2 > 0 AND floor_area_m2 = round(floor_area_m2, 2)),
    buildings            integer NOT NULL CHECK (buildings > 0),
    elevators            integer NOT NULL DEFAULT 0 CHECK (elevators >= 0),
    plan_year            integer NOT NULL CHECK (plan_year BETWEEN 2000 AND 2100),
    priority             boolean NOT NULL,      -- buildings completed before 2000
    created_at           timestamptz NOT NULL DEFAULT now(),
    created_by           text NOT NULL,
    -- The plan's eligibility, enforced here as well as in Go.
    CONSTRAINT projects_eligible CHECK (completed_on <= DATE '2005-12-31' AND state_owned_land AND NOT slated_for_demolition),
    CONSTRAINT projects_priority CHECK (priority = (completed_on < DATE '2000-01-01'))
);
CREATE INDEX projects_district_year ON projects (district, plan_year);

-- A project's status is the latest of its status events (append-only).
CREATE TABLE project_events (
    id          bigserial PRIMARY KEY,
    project     text NOT NULL REFERENCES projects (code),
    status      text NOT NULL CHECK (status IN ('planned', 'approved', 'under_way', 'completed', 'accepted')),
    effective_on date NOT NULL,
    actor       text NOT NULL CHECK (actor <> ''),
    note        text NOT NULL DEFAULT '',
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX project_events_project ON project_events (project, id);

-- Named parties behind a source for a project: the utility company, the
-- original property-owning employer, the social-capital investor.
CREATE TABLE project_parties (
    project  text NOT NULL REFERENCES projects (code),
    source   text NOT NULL,
    party    text NOT NULL CHECK (party <> ''),
    PRIMARY KEY (project, source)
);

-- Bank accounts that receive and pay the programme's money.
CREATE TABLE bank_accounts (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    name        text NOT NULL,
    bank        text NOT NULL DEFAULT '',
    number      text NOT NULL DEFAULT '',
    district    text REFERENCES districts (code),
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL
);

-- The plan table (annex), as imported: one row per import, its targets.
CREATE TABLE plan_imports (
    id          bigserial PRIMARY KEY,
    file_name   text NOT NULL,
    sha256      text NOT NULL UNIQUE,
    warnings    jsonb NOT NULL DEFAULT '[]',
    imported_at timestamptz NOT NULL DEFAULT now(),
    imported_by text NOT NULL
);
CREATE TABLE plan_targets (
    import_id    bigint NOT NULL REFERENCES plan_imports (id),
    district     text NOT NULL,  -- as written in the table (区市)
    year         integer NOT NULL,
    communities  integer NOT NULL CHECK (communities >= 0),
    households   integer NOT NULL CHECK (households >= 0),
    floor_area_m2 numeric NOT NULL CHECK (floor_area_m2 >= 0),
    is_total     boolean NOT NULL DEFAULT false,
    source_row   integer NOT NULL,
    PRIMARY KEY (import_id, district, year)
);

-- Cost-sharing rule sets, as loaded: never changed in place; a changed file
-- is a new version (new content hash).
CREATE TABLE rule_sets (
    id              bigserial PRIMARY KEY,
    name            text NOT NULL,
    version         text NOT NULL DEFAULT '',
    district        text REFERENCES districts (code), -- NULL: city-wide
    effective_from  date NOT NULL,
    effective_to    date,
    content_hash    text NOT NULL UNIQUE,
    file_name       text NOT NULL,
    content         text NOT NULL,
    loaded_at       timestamptz NOT NULL DEFAULT now(),
    loaded_by       text NOT NULL
);

-- Budget approvals: each approval (or re-approval) of a project's budget
-- lines, the rule set that split it, and the budget-book entry that posted
-- the commitments (or their difference from the previous approval).
CREATE TABLE budget_approvals (
    id            bigserial PRIMARY KEY,
    project       text NOT NULL REFERENCES projects (code),
    version       integer NOT NULL CHECK (version > 0),
    approved_on   date NOT NULL,
    rule_set_id   bigint NOT NULL REFERENCES rule_sets (id),
    total         numeric NOT NULL CHECK (total > 0),
    explanation   jsonb NOT NULL,
    entry_id      bigint REFERENCES entries (id), -- NULL when nothing changed in money
    actor         text NOT NULL,
    at            timestamptz NOT NULL DEFAULT now(),
    UNIQUE (project, version)
);
CREATE TABLE budget_lines (
    approval_id  bigint NOT NULL REFERENCES budget_approvals (id),
    line_no      integer NOT NULL CHECK (line_no > 0),
    category     text NOT NULL CHECK (category IN ('basic', 'improvement', 'upgrade')),
    work_item    text NOT NULL DEFAULT '',
    description  text NOT NULL DEFAULT '',
    amount       numeric NOT NULL CHECK (amount > 0 AND amount = round(amount, 2)),
    PRIMARY KEY (approval_id, line_no)
);
CREATE TABLE budget_shares (
    approval_id  bigint NOT NULL REFERENCES budget_approvals (id),
    category     text NOT NULL,
    work_item    text NOT NULL DEFAULT '',
    source       text NOT NULL,
    amount       numeric NOT NULL CHECK (amount >= 0 AND amount = round(amount, 2)),
    PRIMARY KEY (approval_id, category, work_item, source)
);

CREATE TRIGGER projects_append_only BEFORE UPDATE OR DELETE ON projects FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER bank_accounts_no_delete BEFORE DELETE ON bank_accounts FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER districts_no_delete BEFORE DELETE ON districts FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER project_events_append_only BEFORE UPDATE OR DELETE ON project_events FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER plan_imports_append_only BEFORE UPDATE OR DELETE ON plan_imports FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER plan_targets_append_only BEFORE UPDATE OR DELETE ON plan_targets FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER rule_sets_append_only BEFORE UPDATE OR DELETE ON rule_sets FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER budget_approvals_append_only BEFORE UPDATE OR DELETE ON budget_approvals FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER budget_lines_append_only BEFORE UPDATE OR DELETE ON budget_lines FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER budget_shares_append_only BEFORE UPDATE OR DELETE ON budget_shares FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER project_parties_append_only BEFORE UPDATE OR DELETE ON project_parties FOR EACH ROW EXECUTE FUNCTION fl_append_only();
