package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"fundledger/internal/replica"
	"fundledger/ledger"
	"fundledger/web"
)

// sealInterval is how often the server seals the entries written since.
const sealInterval = 30 * time.Second

func sealEvery(ctx context.Context, l *ledger.Ledger, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	var warned int64 // the first held entry last warned about
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			res, err := l.Seal(ctx)
			if err != nil {
				log.Error("seal", "err", err)
				continue
			}
			if res.Entries > 0 {
				log.Info("sealed", "entries", res.Entries, "blocks", res.Blocks, "head", res.HeadHash)
			}
			if len(res.Held) > 0 && res.Held[0].EntryID != warned {
				warned = res.Held[0].EntryID
				log.Error("seal held back entries that cannot be accounted for; run verify", "count", len(res.Held), "first", res.Held[0].String())
			}
		}
	}
}

func (a *app) serveCmd() *cobra.Command {
	var addr, readURL string
	var secureCookies bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the JSON API (bearer tokens from `fundledger user token`) and the browser UI (password login) on the same database",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if _, err := a.ledger(c.Context()); err != nil {
				return err
			}
			log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
			ws := web.New(a.db, log)
			ws.SecureCookies(secureCookies)
			if readURL != "" { // reports and lists from a hot standby (internal/replica)
				if err := readFromStandby(c.Context(), ws, a.db, readURL); err != nil {
					return err
				}
			}
			srv := ws.HTTPServer(addr)
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "serving http://%s/ (browser UI) and /api/ (OpenAPI at /api/openapi.json); Ctrl-C stops\n", ln.Addr())
			done := make(chan error, 1)
			go func() { done <- srv.Serve(ln) }()
			// Writes through the API and the UI are chained into blocks
			// here, as the CLI does after each write.
			sealCtx, stopSealing := context.WithCancel(c.Context())
			defer stopSealing()
			go sealEvery(sealCtx, ledger.New(a.db), sealInterval, log)
			select {
			case err := <-done:
				return err
			case <-c.Context().Done():
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := srv.Shutdown(ctx); err != nil {
				return err
			}
			if err := <-done; !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().StringVar(&readURL, "read-database-url", "", "a hot standby of the database (pg_basebackup -R) that reports and lists read from")
	cmd.Flags().BoolVar(&secureCookies, "secure-cookies", false, "mark cookies Secure even on plain HTTP (behind a TLS-terminating proxy)")
	return cmd
}

// readFromStandby hands the web server a hot standby for its reports and
// lists (web.Server.ReadFrom), once internal/replica has checked it is one,
// of this schema. Writes, authentication and the browser pages stay on the
// primary.
func readFromStandby(ctx context.Context, ws *web.Server, primary *sqlx.DB, url string) error {
	rdb, err := replica.OpenStandby(ctx, url, primary)
	if err != nil {
		return err
	}
	ws.ReadFrom(rdb)
	return nil
}
