package report_test

import (
	"testing"

	"fundledger/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
