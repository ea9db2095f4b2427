package main

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"fundledger/access"
	"fundledger/funding"
	"fundledger/report"
)

func (a *app) accessStore(c *cobra.Command) (*access.Store, error) {
	if _, err := a.ledger(c.Context()); err != nil {
		return nil, err
	}
	return access.New(a.db), nil
}

// readPassword reads one line from stdin.
func readPassword(c *cobra.Command) (string, error) {
	line, err := bufio.NewReader(c.InOrStdin()).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("--password-stdin: no password on stdin")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func (a *app) userCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage users of the server: roles, district grants, API tokens"}

	var role string
	var pwStdin bool
	add := &cobra.Command{
		Use: "add NAME --role finance_bureau|district_officer|auditor [--password-stdin]", Short: "Add a user", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			r, err := access.ParseRole(role)
			if err != nil {
				return err
			}
			pw := ""
			if pwStdin {
				if pw, err = readPassword(c); err != nil {
					return err
				}
			}
			s, err := a.accessStore(c)
			if err != nil {
				return err
			}
			if err := s.AddUser(c.Context(), args[0], r, pw, a.actor); err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "user %s added (%s)\n", args[0], r)
			return nil
		},
	}
	add.Flags().StringVar(&role, "role", "", "finance_bureau|district_officer|auditor")
	add.Flags().BoolVar(&pwStdin, "password-stdin", false, "read a password for browser login from the first line of stdin")

	var district, reason string
	var revoke bool
	grant := &cobra.Command{
		Use: "grant NAME --district D [--revoke]", Short: "Grant a district to a district officer (or withdraw it)", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			s, err := a.accessStore(c)
			if err != nil {
				return err
			}
			d, err := funding.LookupDistrict(c.Context(), a.db, district)
			if err != nil {
				return err
			}
			if err := s.Grant(c.Context(), args[0], d.Code, !revoke, reason, a.actor); err != nil {
				return err
			}
			verb := "granted to"
			if revoke {
				verb = "withdrawn from"
			}
			fmt.Fprintf(c.OutOrStdout(), "district %s (%s) %s %s\n", d.Code, d.NameZh, verb, args[0])
			return nil
		},
	}
	grant.Flags().StringVar(&district, "district", "", "district code or Chinese name")
	grant.Flags().BoolVar(&revoke, "revoke", false, "withdraw the grant")
	grant.Flags().StringVar(&reason, "reason", "", "why")

	var label string
	token := &cobra.Command{
		Use: "token NAME [--label L]", Short: "Issue an API token (printed once; only its hash is stored)", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			s, err := a.accessStore(c)
			if err != nil {
				return err
			}
			t, secret, err := s.IssueToken(c.Context(), args[0], access.KindAPIToken, label, 0, a.actor)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.ErrOrStderr(), "token %d for %s; it is shown only now (revoke with `fundledger user revoke-token %d`):\n", t.ID, args[0], t.ID)
			fmt.Fprintln(c.OutOrStdout(), secret)
			return nil
		},
	}
	token.Flags().StringVar(&label, "label", "", "what the token is for")

	revokeToken := &cobra.Command{
		Use: "revoke-token ID [--reason R]", Short: "Revoke an API token or session", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("token id %q: %w", args[0], access.ErrInvalid)
			}
			s, err := a.accessStore(c)
			if err != nil {
				return err
			}
			if err := s.Revoke(c.Context(), id, reason, a.actor); err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "token %d revoked\n", id)
			return nil
		},
	}
	revokeToken.Flags().StringVar(&reason, "reason", "", "why")

	var format string
	list := &cobra.Command{
		Use: "list", Short: "List users with role, districts and tokens", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			s, err := a.accessStore(c)
			if err != nil {
				return err
			}
			us, err := s.Users(c.Context())
			if err != nil {
				return err
			}
			toks, err := s.Tokens(c.Context(), "")
			if err != nil {
				return err
			}
			active := map[string][]string{}
			for _, t := range toks {
				if t.Kind == access.KindAPIToken && t.RevokedAt == nil {
					active[t.User] = append(active[t.User], strconv.FormatInt(t.ID, 10))
				}
			}
			t := report.Table{Title: "用户 Users", Columns: []report.Column{
				{Key: "name", Zh: "用户", En: "User"}, {Key: "role", Zh: "角色", En: "Role"}, {Key: "districts", Zh: "区市", En: "Districts"},
				{Key: "password", Zh: "密码登录", En: "Password"}, {Key: "tokens", Zh: "有效令牌", En: "Active tokens"},
				{Key: "created_by", Zh: "创建人", En: "Created by"},
			}}
			for _, u := range us {
				ds := strings.Join(u.Districts, " ")
				if u.Role != access.DistrictOfficer {
					ds = "*"
				}
				t.Rows = append(t.Rows, []string{u.Name, string(u.Role), ds, strconv.FormatBool(u.HasPassword),
					strings.Join(active[u.Name], " "), u.CreatedBy})
			}
			return report.Render(c.OutOrStdout(), t, format, "")
		},
	}
	list.Flags().StringVar(&format, "format", "table", "table|csv|json")

	cmd.AddCommand(add, grant, token, revokeToken, list)
	return cmd
}
