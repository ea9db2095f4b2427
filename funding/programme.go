package funding

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/jmoiron/sqlx"

	"fundledger/ledger"
)

// Programme is the funding of one renovation programme kept in one
// database: its projects, plan, rule sets and money.
type Programme struct {
	db     *sqlx.DB
	ledger *ledger.Ledger
	// Caches of what never changes once written: parsed rule set versions
	// (by id) and project accounts already created (by project, source,
	// categories).
	ruleSets sync.Map
	ensured  sync.Map
	// clock gives today's date for checks such as "no future reward
	// period" (nil: the system clock); SetClock replaces it in tests.
	clock func() time.Time
}

// SetClock makes the programme take today's date from now (tests). Call it
// before the programme is shared.
func (p *Programme) SetClock(now func() time.Time) { p.clock = now }

// today is the current civil date (UTC).
func (p *Programme) today() time.Time {
	if p.clock != nil {
		return ledger.Civil(p.clock())
	}
	return ledger.Civil(time.Now().UTC())
}

// New returns the programme kept in l's database.
func New(l *ledger.Ledger) *Programme { return &Programme{db: l.DB(), ledger: l} }

// Ledger returns the books the programme posts to.
func (p *Programme) Ledger() *ledger.Ledger { return p.ledger }

var validate = func() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name := strings.SplitN(f.Tag.Get("json"), ",", 2)[0]
		if name == "" || name == "-" {
			return f.Name
		}
		return name
	})
	return v
}()

// checkInput validates struct tags and turns the first failures into one
// error naming each field and the rule it breaks.
func checkInput(what string, v any) error {
	err := validate.Struct(v)
	if err == nil {
		return nil
	}
	var ve validator.ValidationErrors
	if !errors.As(err, &ve) {
		return fmt.Errorf("%w: %s: %v", ErrInvalid, what, err)
	}
	var msgs []string
	for i, fe := range ve {
		if i == 5 {
			msgs = append(msgs, fmt.Sprintf("and %d more", len(ve)-5))
			break
		}
		rule := fe.Tag()
		if fe.Param() != "" {
			rule += "=" + fe.Param()
		}
		msgs = append(msgs, fmt.Sprintf("%s: must satisfy %s (got %v)", fe.Field(), rule, fe.Value()))
	}
	return fmt.Errorf("%w: %s: %s", ErrInvalid, what, strings.Join(msgs, "; "))
}
