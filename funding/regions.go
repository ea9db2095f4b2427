package funding

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// Region places a district in its city and province, for reports that roll
// the books up province → city → district.
type Region struct {
	District string `db:"district" json:"district"` // district code
	City     string `db:"city" json:"city"`
	Province string `db:"province" json:"province"`
}

// PlaceDistrict records the city and province of a district. Placing it
// again in the same city changes nothing; in another it is refused
// (ErrExists): a district does not move.
func PlaceDistrict(ctx context.Context, db sqlx.ExtContext, r Region, actor string) error {
	r.City, r.Province = strings.TrimSpace(r.City), strings.TrimSpace(r.Province)
	what := fmt.Sprintf("place district %s in %s, %s", r.District, r.City, r.Province)
	if r.City == "" || r.Province == "" || len(r.City) > 200 || len(r.Province) > 200 {
		return fmt.Errorf("%w: %s: city and province are required (at most 200 bytes each)", ErrInvalid, what)
	}
	if _, err := db.ExecContext(ctx, `
		INSERT INTO district_regions (district, city, province, created_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (district) DO NOTHING`, r.District, r.City, r.Province, actor); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	var got Region
	if err := sqlx.GetContext(ctx, db, &got, `SELECT district, city, province FROM district_regions WHERE district = $1`, r.District); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if got != r {
		return fmt.Errorf("%w: %s: it is already in %s, %s", ErrExists, what, got.City, got.Province)
	}
	return nil
}

// Regions lists where each placed district sits, by province, city and
// district (at most MaxRegions rows).
func Regions(ctx context.Context, db sqlx.QueryerContext) ([]Region, error) {
	var out []Region
	if err := sqlx.SelectContext(ctx, db, &out, `SELECT district, city, province FROM district_regions
		ORDER BY province, city, district COLLATE "C" LIMIT $1`, MaxRegions); err != nil {
		return nil, fmt.Errorf("regions: %w", err)
	}
	return out, nil
}

// MaxRegions bounds one listing of district regions.
const MaxRegions = 100000
