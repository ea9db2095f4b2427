// Package ledger is the double-entry core of fundledger: accounts, journal
// entries and their postings, the two books (financial and budget), accounting
// periods (closed city-wide or per district), balances as of any date, and the
// hash chain that makes tampering evident, anchored by the heads that month
// closes record. It is the only code that writes entries and postings.
//
// PostgreSQL enforces the invariants (see migrations/00001_ledger.sql, and
// 00007_ledger_bulk_speed.sql for how they are computed today, and
// 00009_anchored_chain_district_close.sql); this
// package checks them again first so that callers get clear messages, and maps
// the database's refusals to the named errors in errors.go. It knows nothing of
// projects, funding sources or rules: those are dimensions on accounts and
// metadata on entries.
package ledger
