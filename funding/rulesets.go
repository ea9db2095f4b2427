package funding

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"fundledger/ledger"
	"fundledger/rules"
)

// RuleSetInfo is a loaded rule set version as stored.
type RuleSetInfo struct {
	ID            int64      `db:"id" json:"id"`
	Name          string     `db:"name" json:"name"`
	Version       string     `db:"version" json:"version"`
	District      string     `db:"district" json:"district"` // code; "" city-wide
	EffectiveFrom time.Time  `db:"effective_from" json:"effective_from"`
	EffectiveTo   *time.Time `db:"effective_to" json:"effective_to,omitempty"`
	ContentHash   string     `db:"content_hash" json:"content_hash"`
	FileName      string     `db:"file_name" json:"file_name"`
	LoadedAt      time.Time  `db:"loaded_at" json:"loaded_at"`
	LoadedBy      string     `db:"loaded_by" json:"loaded_by"`
	// Current is false for a version superseded by a later load of the
	// same name; approvals keep pointing at the version they used.
	Current bool `db:"current" json:"current"`
}

// maxRuleFileBytes bounds a rule file.
const maxRuleFileBytes = 1 << 20

// rule-set loads are serialised so the overlap check sees every other load.
const ruleLoadLock = 0x52554c45 // "RULE"

// LoadRuleSet validates a rule file and stores it as a new version. A file
// whose content is already stored changes nothing (Loaded false). A load of
// an existing name supersedes that name's earlier version; the sets in force
// of one district must not overlap in time.
func (p *Programme) LoadRuleSet(ctx context.Context, path, actor string) (info RuleSetInfo, loaded bool, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return info, false, fmt.Errorf("load rules: %w", err)
	}
	if st.Size() > maxRuleFileBytes {
		return info, false, fmt.Errorf("%w: load rules %s: file larger than %d bytes", ErrInvalid, path, maxRuleFileBytes)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return info, false, fmt.Errorf("load rules: %w", err)
	}
	return p.LoadRuleSetBytes(ctx, filepath.Base(path), data, actor)
}

// LoadRuleSetBytes is LoadRuleSet for a file already read (name is its base
// name, used in messages and stored).
func (p *Programme) LoadRuleSetBytes(ctx context.Context, name string, data []byte, actor string) (info RuleSetInfo, loaded bool, err error) {
	path := name
	if len(data) > maxRuleFileBytes {
		return info, false, fmt.Errorf("%w: load rules %s: file larger than %d bytes", ErrInvalid, path, maxRuleFileBytes)
	}
	rs, err := rules.Parse(name, data)
	if err != nil {
		return info, false, err
	}
	var districtCode any
	if rs.District != "" {
		d, err := LookupDistrict(ctx, p.db, rs.District)
		if err != nil {
			return info, false, fmt.Errorf("load rules %s: district: %w", path, err)
		}
		districtCode = d.Code
	}
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, ruleLoadLock); err != nil {
			return err
		}
		var id int64
		err := tx.GetContext(ctx, &id, `SELECT id FROM rule_sets WHERE content_hash = $1`, rs.Hash())
		if err == nil {
			info.ID = id
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		current, err := currentRuleSets(ctx, tx)
		if err != nil {
			return err
		}
		others := []*rules.RuleSet{rs}
		for _, c := range current {
			if c.set.Name != rs.Name {
				others = append(others, c.set)
			}
		}
		if err := rules.CheckOverlap(others); err != nil {
			return err
		}
		var to any
		if rs.EffectiveTo != nil {
			to = rs.EffectiveTo.Format(ledger.DateLayout)
		}
		loaded = true
		return tx.GetContext(ctx, &info.ID, `
			INSERT INTO rule_sets (name, version, district, effective_from, effective_to, content_hash, file_name, content, loaded_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			rs.Name, rs.Version, districtCode, rs.EffectiveFrom.Format(ledger.DateLayout), to, rs.Hash(),
			name, string(rs.Raw()), actor)
	})
	if err != nil {
		return info, false, fmt.Errorf("load rules %s: %w", path, err)
	}
	info, err = p.RuleSetInfo(ctx, info.ID)
	return info, loaded, err
}

const ruleSetColumns = `r.id, r.name, r.version, coalesce(r.district, '') AS district, r.effective_from, r.effective_to,
	r.content_hash, r.file_name, r.loaded_at, r.loaded_by,
	r.id = (SELECT max(id) FROM rule_sets x WHERE x.name = r.name) AS current`

// RuleSets lists every loaded version, newest first.
func (p *Programme) RuleSets(ctx context.Context) ([]RuleSetInfo, error) {
	var out []RuleSetInfo
	if err := p.db.SelectContext(ctx, &out, `SELECT `+ruleSetColumns+` FROM rule_sets r ORDER BY r.id DESC LIMIT 1000`); err != nil {
		return nil, fmt.Errorf("rule sets: %w", err)
	}
	return out, nil
}

// RuleSetInfo returns one stored version.
func (p *Programme) RuleSetInfo(ctx context.Context, id int64) (RuleSetInfo, error) {
	var out RuleSetInfo
	err := p.db.GetContext(ctx, &out, `SELECT `+ruleSetColumns+` FROM rule_sets r WHERE r.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return out, fmt.Errorf("rule set %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return out, fmt.Errorf("rule set %d: %w", id, err)
	}
	return out, nil
}

// RuleSetByRef finds a stored version by what people call it: its id
// ("12"), its name ("huancui", the current version) or its name and version
// ("huancui@2021-v2").
func (p *Programme) RuleSetByRef(ctx context.Context, ref string) (RuleSetInfo, error) {
	ref = strings.TrimSpace(ref)
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return p.RuleSetInfo(ctx, id)
	}
	name, version, byVersion := strings.Cut(ref, "@")
	var out RuleSetInfo
	err := p.db.GetContext(ctx, &out, `SELECT `+ruleSetColumns+` FROM rule_sets r
		WHERE r.name = $1 AND (NOT $3 OR r.version = $2) ORDER BY r.id DESC LIMIT 1`, name, version, byVersion)
	if errors.Is(err, sql.ErrNoRows) {
		return out, fmt.Errorf("rule set %q (see fundledger rules list): %w", ref, ErrNotFound)
	}
	if err != nil {
		return out, fmt.Errorf("rule set %q: %w", ref, err)
	}
	return out, nil
}

// RuleSet returns a stored version parsed, with its stored text.
func (p *Programme) RuleSet(ctx context.Context, id int64) (*rules.RuleSet, string, error) {
	if rs, ok := p.ruleSets.Load(id); ok {
		r := rs.(*rules.RuleSet)
		return r, string(r.Raw()), nil
	}
	var row struct {
		FileName string `db:"file_name"`
		Content  string `db:"content"`
	}
	err := p.db.GetContext(ctx, &row, `SELECT file_name, content FROM rule_sets WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", fmt.Errorf("rule set %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, "", fmt.Errorf("rule set %d: %w", id, err)
	}
	rs, err := rules.Parse(row.FileName, []byte(row.Content))
	if err != nil {
		return nil, "", fmt.Errorf("rule set %d: stored text no longer parses: %w", id, err)
	}
	p.ruleSets.Store(id, rs)
	return rs, row.Content, nil
}

type storedRuleSet struct {
	id  int64
	set *rules.RuleSet
}

func currentRuleSets(ctx context.Context, db sqlx.QueryerContext) ([]storedRuleSet, error) {
	var rows []struct {
		ID       int64  `db:"id"`
		FileName string `db:"file_name"`
		Content  string `db:"content"`
	}
	if err := sqlx.SelectContext(ctx, db, &rows, `
		SELECT id, file_name, content FROM rule_sets r
		 WHERE r.id = (SELECT max(id) FROM rule_sets x WHERE x.name = r.name) ORDER BY id LIMIT 1000`); err != nil {
		return nil, err
	}
	out := make([]storedRuleSet, 0, len(rows))
	for _, r := range rows {
		rs, err := rules.Parse(r.FileName, []byte(r.Content))
		if err != nil {
			return nil, fmt.Errorf("rule set %d: %w", r.ID, err)
		}
		out = append(out, storedRuleSet{r.ID, rs})
	}
	return out, nil
}

// applicableRuleSet selects the current rule set in force for a district
// (Chinese name) on a date: the district's own wins over the city-wide one.
func applicableRuleSet(ctx context.Context, db sqlx.QueryerContext, districtZh string, on time.Time) (storedRuleSet, error) {
	current, err := currentRuleSets(ctx, db)
	if err != nil {
		return storedRuleSet{}, err
	}
	return selectRuleSet(current, districtZh, on)
}

// selectRuleSet selects among the current rule sets the one in force for a
// district (Chinese name) on a date.
func selectRuleSet(current []storedRuleSet, districtZh string, on time.Time) (storedRuleSet, error) {
	sets := make([]*rules.RuleSet, len(current))
	for i, c := range current {
		sets[i] = c.set
	}
	rs, err := rules.Select(sets, districtZh, on)
	if err != nil {
		return storedRuleSet{}, fmt.Errorf("%w: %w", ErrNoRuleSet, err)
	}
	for _, c := range current {
		if c.set == rs {
			return c, nil
		}
	}
	return storedRuleSet{}, ErrNoRuleSet
}
