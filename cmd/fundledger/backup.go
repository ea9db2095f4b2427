package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"fundledger/internal/backup"
	"fundledger/internal/database"
)

// errExternalServer: backup and restore work on the embedded cluster only.
var errExternalServer = errors.New("backup and restore work on the embedded cluster; a server named by --database-url " +
	"or DATABASE_URL is backed up with its own tools (see the README, \"Security and backups\")")

// backupDir returns --dir, else the default next to the data directory.
func (a *app) backupDir(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	data, err := database.DataDir(a.options())
	if err != nil {
		return "", err
	}
	return backup.DefaultDir(data)
}

func (a *app) backupCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "backup",
		Short: "Back up the embedded cluster: switch on continuous WAL archiving and take a base backup",
		Long: `backup keeps every change of the embedded cluster in a backup directory
(--dir, default $FUNDLEDGER_BACKUP, else <data dir>-backup): it switches on
continuous WAL archiving into DIR/wal (the first time this restarts the
database server once) and takes a base backup into DIR/base/<UTC time>.
Afterwards "fundledger restore --to TIME" can bring the books back to any
moment after that base backup. Take a base backup now and then (e.g. weekly)
so restores replay less WAL, and keep DIR on another disk or machine.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if a.databaseURL != "" {
				return errExternalServer
			}
			d, err := a.backupDir(dir)
			if err != nil {
				return err
			}
			srv, err := database.StartEmbedded(c.Context(), a.options())
			if err != nil {
				return err
			}
			b, err := backup.Take(c.Context(), srv, d, a.options().Log)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "base backup %s in %s (finished %s); WAL archived continuously into %s/wal\n",
				b.Name, b.Dir, b.Finished.Format(time.RFC3339), d)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "backup directory (default $FUNDLEDGER_BACKUP, else <data dir>-backup)")
	list := &cobra.Command{
		Use: "list", Short: "List the base backups in the backup directory", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			d, err := a.backupDir(dir)
			if err != nil {
				return err
			}
			bases, err := backup.List(d)
			if err != nil {
				return err
			}
			if len(bases) == 0 {
				fmt.Fprintf(c.OutOrStdout(), "no base backups in %s\n", d)
				return nil
			}
			for _, b := range bases {
				fmt.Fprintf(c.OutOrStdout(), "%s  restorable from %s\n", b.Name, b.Finished.Format(time.RFC3339))
			}
			return nil
		},
	}
	list.Flags().StringVar(&dir, "dir", "", "backup directory (default $FUNDLEDGER_BACKUP, else <data dir>-backup)")
	cmd.AddCommand(list)
	return cmd
}

// restoreTimeLayouts are the forms --to accepts; the offset is required.
var restoreTimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z07",
	"2006-01-02 15:04:05.999999999 Z07:00",
	"2006-01-02 15:04Z07:00",
	"2006-01-02 15:04Z07",
}

func parseRestoreTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range restoreTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--to %q: not a time with a UTC offset, e.g. \"2026-12-02 07:00:00+08\" or 2026-12-01T23:00:00Z", s)
}

func (a *app) restoreCmd() *cobra.Command {
	var dir, to string
	var yes bool
	cmd := &cobra.Command{
		Use:   "restore",
		Short: "Restore the embedded cluster from the backup directory, up to a chosen time",
		Long: `restore replaces the embedded cluster with the latest base backup that
finished before --to and replays the archived WAL up to --to (default:
everything archived). The running server is stopped first (after archiving
its current WAL); the data directory it used is moved aside to
<data dir>.before-restore-<time>, not deleted. Then run "fundledger verify"
and compare the head hash with one written down at that time.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if a.databaseURL != "" {
				return errExternalServer
			}
			if !yes {
				return errors.New("restore replaces the books with those of the backup; add --yes to go ahead")
			}
			o := backup.RestoreOptions{Log: c.ErrOrStderr()}
			var err error
			if o.Dir, err = a.backupDir(dir); err != nil {
				return err
			}
			if o.DataDir, err = database.DataDir(a.options()); err != nil {
				return err
			}
			if to != "" {
				t, err := parseRestoreTime(to)
				if err != nil {
					return err
				}
				o.Target = &t
			}
			res, err := backup.Restore(c.Context(), o)
			if err != nil {
				if res.MovedAside != "" {
					fmt.Fprintf(c.ErrOrStderr(), "the data directory before the restore is kept in %s\n", res.MovedAside)
				}
				return err
			}
			w := c.OutOrStdout()
			fmt.Fprintf(w, "restored from base backup %s", res.Base.Name)
			if o.Target != nil && !res.ToEnd {
				fmt.Fprintf(w, " up to %s", o.Target.Format(time.RFC3339Nano))
			} else {
				fmt.Fprint(w, " with every archived change")
			}
			fmt.Fprintln(w)
			if res.MovedAside != "" {
				fmt.Fprintf(w, "the replaced data directory is kept in %s\n", res.MovedAside)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&dir, "dir", "", "backup directory (default $FUNDLEDGER_BACKUP, else <data dir>-backup)")
	f.StringVar(&to, "to", "", "restore the books as they were at this time (with UTC offset); default: everything archived")
	f.BoolVar(&yes, "yes", false, "confirm replacing the current books")
	return cmd
}
