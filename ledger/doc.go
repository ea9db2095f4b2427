// Package ledger is the double-entry core of fundledger: accounts, journal
// entries and their postings, the two books (financial and budget), accounting
// periods, balances as of any date, and the hash chain that makes tampering
// evident. It is the only code that writes entries and postings.
//
// PostgreSQL enforces the invariants (see migrations/00001_ledger.sql, and
// 00007_ledger_bulk_speed.sql for how they are computed today); this
// package checks them again first so that callers get clear messages, and maps
// the database's refusals to the named errors in errors.go. It knows nothing of
// projects, funding sources or rules: those are dimensions on accounts and
// metadata on entries.
package ledger
