package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"fundledger/internal/database"
	"fundledger/internal/pgserver"
	"fundledger/migrations"
)

func (a *app) dbCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "db", Short: "Manage the embedded PostgreSQL cluster"}
	cmd.AddCommand(&cobra.Command{
		Use: "start", Short: "Start (or adopt) the embedded cluster and create the database",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			srv, err := database.StartEmbedded(c.Context(), a.options())
			if err != nil {
				return err
			}
			if err := srv.EnsureDatabase(c.Context(), database.Name); err != nil {
				return err
			}
			state := "started"
			if srv.Adopted {
				state = "already running"
			}
			fmt.Fprintf(c.OutOrStdout(), "%s: pid %d, data %s\n%s\n", state, srv.PID, srv.DataDir, srv.ConnString(database.Name))
			return nil
		},
	}, &cobra.Command{
		Use: "stop", Short: "Stop the embedded cluster (fast shutdown)",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			dir, err := database.DataDir(a.options())
			if err != nil {
				return err
			}
			if err := pgserver.Stop(c.Context(), dir); err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "stopped: %s\n", dir)
			return nil
		},
	}, &cobra.Command{
		Use: "status", Short: "Print the embedded cluster's state and a connection string psql accepts",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			dir, err := database.DataDir(a.options())
			if err != nil {
				return err
			}
			st, err := pgserver.Status(dir)
			if err != nil {
				return err
			}
			if !st.Running {
				fmt.Fprintf(c.OutOrStdout(), "stopped: %s\n", dir)
				return nil
			}
			fmt.Fprintf(c.OutOrStdout(), "running: pid %d, data %s\npsql \"host=%s port=%d user=postgres dbname=%s sslmode=disable\"\n",
				st.PID, st.DataDir, st.SocketDir, st.Port, database.Name)
			return nil
		},
	})
	return cmd
}

func (a *app) migrateCmd() *cobra.Command {
	return &cobra.Command{
		Use: "migrate", Short: "Apply pending schema migrations (also done on first use)",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if _, err := a.ledger(c.Context()); err != nil {
				return err
			}
			v, err := migrations.Version(c.Context(), a.db.DB)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "schema at version %d\n", v)
			return nil
		},
	}
}
