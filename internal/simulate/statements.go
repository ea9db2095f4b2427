package simulate

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/recon"
)

// MaxStatementMonths bounds the months of statements one bank account gets.
const MaxStatementMonths = 240

// statements writes, for the bank account of each city with statements
// (Options.StatementCities) and every month with cash movements, the bank's statement of that month — the posted receipts
// and payments with the bank's own lines among them (a monthly fee, and
// now and then interest credited or an incoming transfer nobody recorded:
// lines reconciliation must leave for a person) — imports it through
// recon's import path (profile "generic") and runs reconciliation for the
// month. Balances run on from the account's previous statement. A month
// already imported (the same file) is skipped, with its run.
func statements(ctx context.Context, p *funding.Programme, o Options, res *Result) error {
	prof, err := recon.LookupProfile("generic")
	if err != nil {
		return fmt.Errorf("simulate: statements: %w", err)
	}
	rc := recon.New(p.Ledger().DB())
	cities := o.Cities
	if o.StatementCities != 0 {
		cities = max(o.StatementCities, 0)
	}
	first, last := programmeMonths()
	// The last statement found imported may have been interrupted before
	// its reconciliation: it is reconciled again (a run that finds its
	// lines matched matches nothing) before the next new statement, or at
	// the end.
	var pending *recon.RunRequest
	reconcile := func(req recon.RunRequest, added int) error {
		run, err := rc.Run(ctx, req)
		if err != nil {
			return fmt.Errorf("simulate: reconcile %s %s: %w", req.BankAccount, req.Period, err)
		}
		res.Matched += run.Matched
		res.Unmatched += added
		for _, pass := range run.Passes {
			res.Unmatched -= pass.Lines
		}
		return nil
	}
	for c := range cities {
		bank := bankCode(c)
		balance := decimal.Zero
		// The bank sees each receipt and payment's cash posting, month by
		// month of the programme (recon.CashLines reads a month's
		// financial postings through their day index).
		for month := first; !month.After(last); month = month.AddDate(0, 1, 0) {
			lines, err := rc.CashLines(ctx, bank, month, month.AddDate(0, 1, -1))
			if err != nil {
				return fmt.Errorf("simulate: statements of %s: %w", bank, err)
			}
			if len(lines) == 0 {
				continue
			}
			data, closing := statementFile(o.Seed, bank, month, lines, balance)
			balance = closing
			res.Statements++
			name := fmt.Sprintf("%s-%s.csv", bank, month.Format("2006-01"))
			imp, err := rc.Import(ctx, bank, prof, name, data, o.Actor)
			if err != nil {
				return fmt.Errorf("simulate: statement %s: %w", name, err)
			}
			res.StatementLines += imp.Lines
			req := recon.RunRequest{BankAccount: bank, Period: recon.Period{From: month, To: month.AddDate(0, 1, -1)}, Actor: o.Actor}
			if imp.AlreadyImported {
				pending = &req
				continue
			}
			if pending != nil {
				if err := reconcile(*pending, 0); err != nil {
					return err
				}
				pending = nil
			}
			if err := reconcile(req, imp.Added); err != nil {
				return err
			}
		}
	}
	if pending != nil {
		return reconcile(*pending, 0)
	}
	return nil
}

func monthOf(t time.Time) time.Time { return ledger.Date(t.Year(), t.Month(), 1) }

// programmeMonths are the first and last months a programme's money can
// move in: from the earliest approval day the generator draws to the
// latest payment (maxMovementDays after the latest approval).
func programmeMonths() (time.Time, time.Time) {
	lo, hi := approvalDays()
	return monthOf(lo), monthOf(hi.AddDate(0, 0, maxMovementDays))
}

// statementFile is a month's statement in the generic layout and its
// closing balance: the movements and the bank's own lines. Its draws
// depend on the seed, the account and the month only.
func statementFile(seed uint64, bank string, month time.Time, lines []recon.CashLine, opening decimal.Decimal) ([]byte, decimal.Decimal) {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%s", bank, month.Format("2006-01"))
	r := rand.New(rand.NewPCG(seed, h.Sum64()))
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"交易日期", "收入金额", "支出金额", "余额", "对方户名", "摘要", "凭证号", "交易流水号"})
	balance := opening
	serial := 0
	put := func(day time.Time, in bool, amt decimal.Decimal, party, memo, ref string) {
		serial++
		inCol, outCol := "", ""
		if in {
			balance = balance.Add(amt)
			inCol = amt.StringFixed(2)
		} else {
			balance = balance.Sub(amt)
			outCol = amt.StringFixed(2)
		}
		_ = w.Write([]string{day.Format(ledger.DateLayout), inCol, outCol, balance.StringFixed(2), party, memo, ref,
			fmt.Sprintf("%s%s%06d", bank, month.Format("200601"), serial)})
	}
	// An incoming transfer nobody recorded, in one month of eight, on its
	// day among the others.
	if r.IntN(8) == 0 {
		day := ledger.Date(month.Year(), month.Month(), 1+r.IntN(28))
		at := len(lines)
		for i, l := range lines {
			if l.Day.After(day) {
				at = i
				break
			}
		}
		stray := recon.CashLine{Day: day, In: true, Amount: decimal.New(int64(1000+r.IntN(99000)), 0), Party: "某单位 unknown payer", Key: "stray"}
		lines = append(lines[:at:at], append([]recon.CashLine{stray}, lines[at:]...)...)
	}
	for _, l := range lines {
		memo := "拨付工程款"
		switch {
		case l.Key == "stray":
			memo = "来账未达 unrecorded transfer"
		case l.In:
			memo = "资金到位"
		}
		put(l.Day, l.In, l.Amount, l.Party, memo, l.Reference)
	}
	// The bank's own lines on the last day: interest in one month of
	// eight (0.35% a year on the balance), and its charges.
	last := month.AddDate(0, 1, -1)
	if r.IntN(8) == 0 {
		if interest := balance.Mul(decimal.New(35, -4)).Div(decimal.New(12, 0)).Round(2); interest.IsPositive() {
			put(last, true, interest, "模拟银行", "结息 interest", "")
		}
	}
	fee := decimal.New(int64(500+r.IntN(20000)), -2) // 5.00 to 204.99
	if balance.GreaterThan(fee) {
		put(last, false, fee, "模拟银行", "手续费 bank charges", "")
	}
	w.Flush()
	return buf.Bytes(), balance
}
