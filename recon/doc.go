// Package recon reconciles the programme's bank and treasury accounts with
// the ledger (issue 6): it imports statements (CSV in UTF-8 or GBK,
// XLSX or legacy .xls, read through a column-mapping Profile), matches statement lines to
// the ledger's cash postings in three passes, records manual matches and
// their revocations, and builds the bank reconciliation statement
// (银行存款余额调节表).
//
// The ledger's side of a bank account is every financial-book posting on a
// cash: account of an entry whose metadata bank_account names the account
// (funding writes it on every receipt and payment; a reversal carries it
// through the entry it reverses). A debit is money in, a credit money out.
//
// recon reads entries and postings but never writes them: what it writes
// is its own append-only tables (migrations/00004_recon.sql). A match is
// never deleted: a revocation is a row of its own, and the items of a
// revoked match are unmatched again.
package recon
