-- Users, roles, district grants and credentials of the HTTP server (package
-- access). Roles: finance_bureau (all districts, period close, rule sets),
-- district_officer (reads and writes only the districts granted to it),
-- auditor (reads everything, writes nothing).
--   * grants are append-only events; the latest event per user and district
--     decides;
--   * credentials (API tokens, browser sessions) store only the SHA-256 of
--     the secret, are append-only, and are revoked by an append-only
--     revocation row.

-- +goose Up

CREATE TABLE users (
    name           text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9._-]{1,63}$'),
    role           text NOT NULL CHECK (role IN ('finance_bureau', 'district_officer', 'auditor')),
    -- bcrypt ($2a$/$2b$…); NULL: the user has no password login.
    password_hash  text CHECK (password_hash IS NULL OR password_hash ~ '^\$2[aby]\$[0-9]{2}\$.{53}$'),
    created_at     timestamptz NOT NULL DEFAULT now(),
    created_by     text NOT NULL CHECK (created_by <> '' AND length(created_by) <= 200)
);

-- A user's name, role and creation never change and users are never
-- deleted (entries name them as actors); only the password may change.
-- +goose StatementBegin
CREATE FUNCTION fl_users_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'user %: users are never deleted', OLD.name USING ERRCODE = 'FL004';
    END IF;
    IF (NEW.name, NEW.role, NEW.created_at, NEW.created_by) IS DISTINCT FROM
       (OLD.name, OLD.role, OLD.created_at, OLD.created_by) THEN
        RAISE EXCEPTION 'user %: only the password of a user may change', OLD.name USING ERRCODE = 'FL004';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER users_immutable BEFORE UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION fl_users_immutable();
CREATE TRIGGER users_no_truncate BEFORE TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();

CREATE TABLE user_grants (
    id           bigserial PRIMARY KEY,
    user_name    text NOT NULL REFERENCES users (name),
    district     text NOT NULL REFERENCES districts (code),
    granted      boolean NOT NULL, -- false: the grant is withdrawn
    reason       text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    recorded_by  text NOT NULL CHECK (recorded_by <> '' AND length(recorded_by) <= 200)
);
CREATE INDEX user_grants_user ON user_grants (user_name, district, id);
CREATE TRIGGER user_grants_append_only BEFORE UPDATE OR DELETE ON user_grants
    FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER user_grants_no_truncate BEFORE TRUNCATE ON user_grants
    FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();

CREATE TABLE credentials (
    id           bigserial PRIMARY KEY,
    user_name    text NOT NULL REFERENCES users (name),
    kind         text NOT NULL CHECK (kind IN ('api_token', 'session')),
    secret_hash  bytea NOT NULL UNIQUE CHECK (length(secret_hash) = 32), -- SHA-256 of the secret
    label        text NOT NULL DEFAULT '' CHECK (length(label) <= 200),
    expires_at   timestamptz, -- NULL: until revoked
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   text NOT NULL CHECK (created_by <> '' AND length(created_by) <= 200)
);
CREATE INDEX credentials_user ON credentials (user_name, id);
CREATE TRIGGER credentials_append_only BEFORE UPDATE OR DELETE ON credentials
    FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER credentials_no_truncate BEFORE TRUNCATE ON credentials
    FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();

CREATE TABLE credential_revocations (
    credential_id  bigint PRIMARY KEY REFERENCES credentials (id),
    reason         text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    revoked_at     timestamptz NOT NULL DEFAULT now(),
    revoked_by     text NOT NULL CHECK (revoked_by <> '' AND length(revoked_by) <= 200)
);
CREATE TRIGGER credential_revocations_append_only BEFORE UPDATE OR DELETE ON credential_revocations
    FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER credential_revocations_no_truncate BEFORE TRUNCATE ON credential_revocations
    FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
