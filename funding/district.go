package funding

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// District is a district (区市) or development zone of the programme.
type District struct {
	Code   string `db:"code" json:"code"`
	NameZh string `db:"name_zh" json:"name_zh"`
	NameEn string `db:"name_en" json:"name_en"`
}

// Districts lists the districts in the annex order (migration order), then
// those added later.
func Districts(ctx context.Context, db sqlx.QueryerContext) ([]District, error) {
	var out []District
	if err := sqlx.SelectContext(ctx, db, &out, `SELECT code, name_zh, name_en FROM districts ORDER BY created_at, ctid LIMIT 1000`); err != nil {
		return nil, fmt.Errorf("districts: %w", err)
	}
	return out, nil
}

// LookupDistrict finds a district by code or by its Chinese name.
func LookupDistrict(ctx context.Context, db sqlx.QueryerContext, nameOrCode string) (District, error) {
	var out []District
	s := strings.TrimSpace(nameOrCode)
	if err := sqlx.SelectContext(ctx, db, &out, `SELECT code, name_zh, name_en FROM districts WHERE code = $1 OR name_zh = $1`, s); err != nil {
		return District{}, fmt.Errorf("district %q: %w", s, err)
	}
	if len(out) == 0 {
		return District{}, fmt.Errorf("district %q: %w", s, ErrNotFound)
	}
	return out[0], nil
}

// AddDistrict adds a district beyond the six of the annex.
func AddDistrict(ctx context.Context, db sqlx.ExecerContext, d District, actor string) error {
	_, err := db.ExecContext(ctx, `INSERT INTO districts (code, name_zh, name_en, created_by) VALUES ($1, $2, $3, $4)`,
		d.Code, d.NameZh, d.NameEn, actor)
	if err != nil {
		return fmt.Errorf("add district %s: %w", d.Code, err)
	}
	return nil
}
