-- National scale (issue 16): where each district sits (city, province) so
-- that the books roll up province -> city -> district, and the progress of
-- a simulated programme so that `fundledger simulate` resumes where it was
-- interrupted.

-- +goose Up

-- The parent city and province of a district. A district without a row is
-- reported under an unnamed city and province. Append-only: a district
-- does not move.
CREATE TABLE district_regions (
    district    text PRIMARY KEY REFERENCES districts (code),
    city        text NOT NULL CHECK (btrim(city) <> '' AND length(city) <= 200),
    province    text NOT NULL CHECK (btrim(province) <> '' AND length(province) <= 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL DEFAULT current_user
);
CREATE INDEX district_regions_city ON district_regions (province, city);
CREATE TRIGGER district_regions_append_only BEFORE UPDATE OR DELETE ON district_regions
    FOR EACH ROW EXECUTE FUNCTION fl_append_only();
-- The six districts of the annex are Weihai's, in Shandong.
INSERT INTO district_regions (district, city, province, created_by)
SELECT code, '威海市', '山东省', 'migration' FROM districts
 WHERE code IN ('huancui', 'wendeng', 'rongcheng', 'rushan', 'gaoqu', 'jingqu');

-- How far a simulated programme got: communities [0, done) are complete.
CREATE TABLE simulation_progress (
    seed         bigint NOT NULL,
    communities  integer NOT NULL CHECK (communities > 0),
    cities       integer NOT NULL CHECK (cities > 0),
    done         integer NOT NULL CHECK (done >= 0 AND done <= communities),
    started_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (seed, communities, cities)
);
