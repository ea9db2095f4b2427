package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// Templates are filled examples of the files commands read, printed by
// `--template`: a person starts from one instead of reading --help. Each is
// a file the command accepts as it stands (templates_test.go feeds every one
// back to its command), so the examples cannot drift from the code.
var templates = map[string]string{
	"project register": `[
  {
    "code": "WH-HC-2021-101",
    "name": "环翠区 示例小区",
    "district": "环翠区",
    "address": "威海市环翠区示例路1号",
    "completed_on": "1995-06-30",
    "state_owned_land": true,
    "slated_for_demolition": false,
    "households": 320,
    "floor_area_m2": "25600.50",
    "buildings": 8,
    "elevators": 0,
    "plan_year": 2021,
    "parties": {"employer": "威海市示例厂"}
  }
]
`,
	"budget approve": `[
  {"category": "basic", "work_item": "", "description": "道路、管网、外墙保温", "amount": "1000000.00"},
  {"category": "improvement", "work_item": "", "description": "停车位、无障碍设施", "amount": "250000.00"}
]
`,
	"post": `[
  {
    "book": "financial",
    "effective_date": "2021-03-01",
    "memo": "示例：银行利息收入",
    "idempotency_key": "bank-2021-03-001",
    "metadata": {"voucher": "记-12"},
    "postings": [
      {"account": "cash:example", "side": "D", "amount": "100.00"},
      {"account": "revenue:example", "side": "C", "amount": "100.00"}
    ]
  }
]
`,
	"elevator apply": `[
  {
    "code": "HC-101-3-2", "project": "WH-HC-2021-101", "building": "3", "unit": "2",
    "households_per_floor": [2, 2, 2, 2, 2, 2, 2], "elevators": 1,
    "estimated_cost": "500000.00", "estimated_pipe_cost": "0", "other_contributions": "0",
    "owners_total": 14, "owners_participating": 12, "owners_approving": 10,
    "area_total_m2": "1260.00", "area_participating_m2": "1080.00", "area_approving_m2": "900.00",
    "applied_on": "2021-03-01"
  }
]
`,
	"utility register": `[
  {
    "code": "HC-101-POWER", "project": "WH-HC-2021-101", "kind": "power",
    "description": "小区内供电线路改造", "cost": "500000.00",
    "utility": "国网威海供电公司", "owner": "原产权单位", "owned_by_utility": false,
    "registered_on": "2021-03-01"
  }
]
`,
	"bond register": `[
  {
    "code": "2021-SD-ZX-99", "name": "2021年山东省专项债券（示例）",
    "issue_date": "2021-07-01", "interest_start": "2021-07-01",
    "principal": "100000000.00", "coupon_rate_pct": "3.76", "term_years": 10,
    "frequency": "semi-annual", "repayment": "bullet", "grace_years": 0
  }
]
`,
}

// addTemplates gives every command that reads one of the templated files
// its --template flag.
func addTemplates(c *cobra.Command) {
	withTemplate(c, strings.TrimPrefix(c.CommandPath(), c.Root().Name()+" "))
	for _, sub := range c.Commands() {
		addTemplates(sub)
	}
}

// withTemplate gives cmd a --template flag that prints the filled example
// of the file it reads (the key is the command path below the root).
func withTemplate(cmd *cobra.Command, key string) *cobra.Command {
	text, ok := templates[key]
	if !ok {
		return cmd
	}
	var show bool
	cmd.Flags().BoolVar(&show, "template", false, "print a filled example of the file this command reads, and stop")
	run := cmd.RunE
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if show {
			_, err := fmt.Fprint(c.OutOrStdout(), text)
			return err
		}
		return run(c, args)
	}
	if pre := cmd.PreRunE; pre != nil { // reads the file: not when printing the example
		cmd.PreRunE = func(c *cobra.Command, args []string) error {
			if show {
				return nil
			}
			return pre(c, args)
		}
	}
	if cmd.Args != nil {
		argsCheck := cmd.Args
		cmd.Args = func(c *cobra.Command, args []string) error {
			if show {
				return nil
			}
			return argsCheck(c, args)
		}
	}
	return cmd
}
