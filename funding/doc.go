// Package funding is the domain of old-community renovation funding: the
// districts, the projects (old communities) and their eligibility and
// lifecycle, the plan table, the cost-sharing rule sets as loaded, and the
// money's path — budget approval (commitments per source), receipts into
// earmarked cash, disbursements for a category of work — each turned into
// balanced ledger entries. It owns the funding tables of
// migrations/00002_funding.sql; it writes entries only through package ledger.
package funding
