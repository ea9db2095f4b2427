package web

// Cost-sharing rule sets: list, read, load (the finance bureau's). A rule
// set of a district is read by whoever reads the district; city-wide sets
// by everyone.

import (
	"context"
	"regexp"
	"strconv"
	"strings"

	"fundledger/funding"
)

func (s *Server) registerRuleSets() {
	const tag = apiTag("rule sets")
	register(s, tag.read("/api/rule-sets", "Rule sets: the city's and those of the districts the caller reads"), s.listRuleSets)
	register(s, tag.read("/api/rule-sets/{id}", "A rule set with its YAML text"), s.getRuleSet)
	register(s, tag.bureauCreate("/api/rule-sets", "load rule sets", "Load a YAML rule file sent as the body (funding.LoadRuleSetBytes)"), s.postRuleSet)
}

func (s *Server) listRuleSets(ctx context.Context, _ *struct{}) (*bodyOut[page[funding.RuleSetInfo]], error) {
	sets, err := s.prog.RuleSets(ctx)
	if err != nil {
		return nil, err
	}
	out := page[funding.RuleSetInfo]{Items: []funding.RuleSetInfo{}}
	for _, x := range sets {
		if x.District == "" || principalOf(ctx).CanRead(x.District) {
			out.Items = append(out.Items, x)
		}
	}
	return ok(out), nil
}

type ruleSetJSON struct {
	funding.RuleSetInfo
	Text string `json:"text"`
}

type IDPath struct {
	ID string `path:"id" maxLength:"20"`
}

func (s *Server) getRuleSet(ctx context.Context, in *IDPath) (*bodyOut[ruleSetJSON], error) {
	id, err := strconv.ParseInt(in.ID, 10, 64)
	if err != nil {
		return nil, notFound("rule set " + in.ID)
	}
	info, err := s.prog.RuleSetInfo(ctx, id)
	if err != nil {
		return nil, err
	}
	if info.District != "" {
		if err := principalOf(ctx).CheckRead(info.District); err != nil {
			return nil, err
		}
	}
	_, text, err := s.prog.RuleSet(ctx, id)
	if err != nil {
		return nil, err
	}
	return ok(ruleSetJSON{RuleSetInfo: info, Text: text}), nil
}

var ruleFileRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)

type ruleLoadJSON struct {
	funding.RuleSetInfo
	Loaded bool `json:"loaded"`
}

type ruleFileIn struct {
	KeyHeader
	Name    string `query:"name" doc:"the file's name; api.yaml when absent"`
	RawBody []byte `contentType:"application/yaml"`
}

// postRuleSet stores a YAML rule file; the same file again changes nothing
// (200, Idempotent-Replayed: true).
func (s *Server) postRuleSet(ctx context.Context, in *ruleFileIn) (*writeOut[ruleLoadJSON], error) {
	name, err := upload(in.Name, []byte(strings.TrimSpace(string(in.RawBody))), "api.yaml")
	if err != nil {
		return nil, err
	}
	info, loaded, err := s.prog.LoadRuleSetBytes(ctx, name, in.RawBody, principalOf(ctx).User)
	if err != nil {
		return nil, err
	}
	return written(ruleLoadJSON{RuleSetInfo: info, Loaded: loaded}, !loaded), nil
}
