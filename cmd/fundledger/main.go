// Command fundledger is the command-line face of the ledger: it reads flags,
// makes one call into a package and renders the result. Errors print one line
// and exit non-zero.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"os/user"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"fundledger/internal/database"
	"fundledger/ledger"
)

type app struct {
	databaseURL string
	verbose     bool
	dataDir     string
	actor       string
	db          *sqlx.DB
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	a := &app{}
	root := a.rootCmd()
	err := root.ExecuteContext(ctx)
	if a.db != nil {
		a.db.Close()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fundledger: "+err.Error())
		os.Exit(exitCode(err))
	}
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "fundledger",
		Short:         "Double-entry funding and subsidy ledger for old-community renovation",
		Long:          "Double-entry funding and subsidy ledger for old-community renovation.\n\n" + exitStatusHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(c *cobra.Command, _ []string) error {
			withApp(c, a)
			return checkRequiredFlags(c)
		},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&a.databaseURL, "database-url", os.Getenv("DATABASE_URL"), "PostgreSQL server (default: $DATABASE_URL, else the embedded cluster)")
	pf.StringVar(&a.dataDir, "data-dir", os.Getenv("FUNDLEDGER_DATA"), "embedded cluster directory (default: $FUNDLEDGER_DATA, /var/lib/fundledger as root, else $XDG_DATA_HOME/fundledger)")
	pf.StringVar(&a.actor, "actor", defaultActor(), "who is acting, recorded on every entry (default: $FUNDLEDGER_ACTOR or the login name)")
	pf.BoolVarP(&a.verbose, "verbose", "v", false, "show what the embedded server does")
	root.AddCommand(a.dbCmd(), a.migrateCmd(), a.accountCmd(), a.postCmd(), a.reverseCmd(), a.balanceCmd(),
		a.registerCmd(), a.reportCmd(), a.periodCmd(), a.verifyCmd(), a.sealCmd(), a.demoCmd(),
		a.projectCmd(), a.rulesCmd(), a.budgetCmd(), a.bankCmd(), a.receiptCmd(), a.payCmd(), a.planCmd(),
		a.journalCmd(), a.districtCmd(), a.sourcesCmd(),
		a.elevatorCmd(), a.utilityCmd(), a.rewardCmd(), a.evaluationCmd(), a.allocateCmd(), a.bondCmd(), a.reconCmd(), a.exportCmd(),
		a.userCmd(), a.serveCmd())
	root.AddCommand(a.backupCmd(), a.restoreCmd()) // backup.go
	a.addLoanCmds(root)                            // loans.go
	root.AddCommand(a.simulateCmd())               // simulate.go
	addTemplates(root)
	explainRequiredFlags(root)
	root.SetFlagErrorFunc(flagError)
	return root
}

func defaultActor() string {
	if s := os.Getenv("FUNDLEDGER_ACTOR"); s != "" {
		return s
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}

func (a *app) options() database.Options {
	o := database.Options{URL: a.databaseURL, DataDir: a.dataDir}
	if a.verbose {
		o.Log = os.Stderr
	}
	return o
}

// ledger opens the database (starting the embedded one if needed, migrating)
// once per process.
func (a *app) ledger(ctx context.Context) (*ledger.Ledger, error) {
	if a.db == nil {
		db, err := database.Open(ctx, a.options())
		if err != nil {
			return nil, err
		}
		a.db = db
	}
	return ledger.New(a.db), nil
}
