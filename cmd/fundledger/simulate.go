package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"fundledger/internal/simulate"
)

func (a *app) simulateCmd() *cobra.Command {
	var o simulate.Options
	cmd := &cobra.Command{
		Use:   "simulate",
		Short: "Build (or resume) a simulated national programme: provinces, cities, districts, projects, approvals, receipts, payments, bank statements and their reconciliation",
		Long: `Build a simulated programme through the same code paths as real use. It is deterministic for
a seed and resumable: started again after an interruption it skips what exists and goes on from the
first unfinished chunk. A progress bar with the rate and the time left goes to stderr.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			o.Progress = c.ErrOrStderr()
			o.Actor = a.actor
			res, err := simulate.Run(c.Context(), p, o)
			if err != nil {
				return err
			}
			var size int64
			if err := p.Ledger().DB().GetContext(c.Context(), &size, `SELECT pg_database_size(current_database())`); err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "simulate: %d communities in %d districts (%d done before), %d approvals, %d receipts, %d payments; %d bank statements of %d lines, %d matched, %d left to a person; in %.1fs (setup %.1fs, statements %.1fs, seal %.1fs); database %d MB\n",
				res.Done, res.Districts, res.Resumed, res.Approvals, res.Receipts, res.Payments, res.Statements, res.StatementLines, res.Matched, res.Unmatched,
				res.Elapsed.Seconds(), res.SetupTime.Seconds(), res.StatementTime.Seconds(), res.SealTime.Seconds(), size>>20)
			fmt.Fprintf(c.OutOrStdout(), "simulate: chunk phases (summed over %d workers): %s\n", o.Workers, res.Phases)
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.Communities, "communities", 1000, fmt.Sprintf("old communities to simulate (at most %d)", simulate.MaxCommunities))
	f.IntVar(&o.Cities, "cities", 10, fmt.Sprintf("cities, ten to a province, 3 to 8 districts each (at most %d)", simulate.MaxCities))
	f.Uint64Var(&o.Seed, "seed", 1, "seed of the generator: the same seed builds the same programme")
	f.IntVar(&o.Chunk, "chunk", simulate.DefaultChunk, fmt.Sprintf("communities per chunk (receipts and payments of a chunk go in one batch; at most %d)", simulate.MaxChunk))
	f.IntVar(&o.StatementCities, "statement-cities", 1, "bank statements (imported and reconciled every month) for the bank accounts of the first this many cities; 0: all, -1: none (each reconciliation run reads the month's cash postings of the whole database)")
	f.IntVar(&o.Workers, "workers", simulate.DefaultWorkers, fmt.Sprintf("chunks written at once (at most %d)", simulate.MaxWorkers))
	return cmd
}
