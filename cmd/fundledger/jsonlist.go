package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"fundledger/funding"
	"fundledger/requests"
)

// body is a request body of package requests, shared with the API: it
// converts itself to a funding input and names itself in a refusal.
type body[I any] interface {
	Input() (I, error)
	Label() string
}

// listCmd makes cmd read a file of request bodies B (one object or an
// array, strictly: jsoninput names file:line:col), convert every one —
// all refusals listed, nothing stored — and store them with one call
// (store, a method of funding.Programme), then print a line per item
// stored. noun names an item in a refusal ("project 2 (WH-…): …").
func listCmd[B body[I], I, O any](a *app, cmd *cobra.Command, noun string,
	store func(*funding.Programme, context.Context, []I, string) ([]O, error), line func(O) string) *cobra.Command {
	var file string
	cmd.Args = cobra.NoArgs
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		bs, name, err := readJSONList[B](c, file)
		if err != nil {
			return err
		}
		p, err := a.programme(c)
		if err != nil {
			return err
		}
		ins, refused := requests.Inputs(noun, bs)
		if err := (&itemErrors{file: name, msgs: refused}).err(); err != nil {
			return err
		}
		outs, err := store(p, c.Context(), ins, a.actor)
		for _, o := range outs {
			fmt.Fprintln(c.OutOrStdout(), line(o))
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "JSON file (default: stdin)")
	return cmd
}
